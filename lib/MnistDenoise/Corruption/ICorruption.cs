using static TorchSharp.torch;

namespace MnistDenoise.Corruption;

/// <summary>
/// A damage applied to whole batches of clean images on the fly: NHWC tensors (N, H, W, 1) with values in [0, 1] in,
/// a new tensor of the same shape with values in [0, 1] out. Random corruptions draw only from the generator they
/// are given, so the same generator state gives the same damage.
/// </summary>
public interface ICorruption
{
    /// <summary>The canonical spec, e.g. <c>gaussian:0.5</c> or <c>mosaic:4+saltpepper:0.05</c>; <see cref="Corruptions.Parse"/> reads it back.</summary>
    string Spec { get; }

    /// <summary>The damaged copy of <paramref name="clean"/>; <paramref name="clean"/> is not changed.</summary>
    /// <param name="clean">Images (N, H, W, 1) with values in [0, 1].</param>
    /// <param name="generator">Random source; null uses torch's global generator.</param>
    Tensor Apply(Tensor clean, Generator? generator = null);
}
