using MnistDenoise.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MnistDenoise.Runtime;

/// <summary>
/// Every memory-order decision of the project in one place. The network computes on channels-last activations with
/// kernels stored in convolution order (what oneDNN uses, so nothing is reordered per call); everything that leaves
/// the process (checkpoints, TorchSharp's <c>save</c>, Adam's moments in a checkpoint, arrays) is row-major.
/// Shapes and values never change, only strides.
/// </summary>
public static class KernelLayout
{
    /// <summary>
    /// A copy of a kernel with the tutorial's shape [h, w, in, out] whose memory is ordered [out, h, w, in]: the
    /// channels-last order of the [out, in, h, w] kernel that <see cref="Ops.conv2d"/> hands to libtorch.
    /// </summary>
    /// <remarks>
    /// With row-major TF memory, <c>w.permute(3, 2, 0, 1)</c> gives oneDNN a strided kernel it must reorder, and reorder
    /// back for the gradient, on every call. In this order the permuted view is already a channels-last
    /// [out, in, h, w] tensor, so nothing is copied; the gradient and Adam's moments follow the parameter's strides.
    /// </remarks>
    public static Tensor InConvolutionOrder(Tensor tfKernel)
    {
        ArgumentNullException.ThrowIfNull(tfKernel);
        if (tfKernel.dim() != 4)
            throw new ArgumentException($"Expected a kernel shaped (h, w, in, out); got ({string.Join(", ", tfKernel.shape)}).", nameof(tfKernel));
        var (h, w, i, o) = (tfKernel.shape[0], tfKernel.shape[1], tfKernel.shape[2], tfKernel.shape[3]);
        var ordered = empty_strided([h, w, i, o], [w * i, i, 1, h * w * i], dtype: tfKernel.dtype, device: tfKernel.device);
        return ordered.copy_(tfKernel);
    }

    /// <summary>
    /// An (N, C, H, W) tensor in channels-last memory (strides H·W·C, 1, W·C, C), the layout oneDNN's CPU convolutions
    /// prefer. TorchSharp has no memory-format argument, and <c>permute().contiguous()</c> is a no-op for one channel,
    /// so the strides are built here. Other devices get the tensor as it is.
    /// </summary>
    public static Tensor ChannelsLast(Tensor nchw)
    {
        ArgumentNullException.ThrowIfNull(nchw);
        if (nchw.device_type != DeviceType.CPU) return nchw;
        var (n, c, h, w) = (nchw.shape[0], nchw.shape[1], nchw.shape[2], nchw.shape[3]);
        var channelsLast = empty_strided([n, c, h, w], [h * w * c, 1, w * c, c], dtype: nchw.dtype, device: nchw.device);
        return channelsLast.copy_(nchw);
    }

    /// <summary>A detached, row-major CPU copy to write out (TorchSharp writes a tensor's memory as it lies).</summary>
    public static Tensor RowMajor(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t.detach().cpu().contiguous();
    }

    /// <summary>
    /// <paramref name="state"/> with every kernel of <paramref name="weights"/> replaced by a row-major view of its
    /// values, so that TorchSharp's <c>save</c> (which calls the virtual <c>state_dict</c>) writes the tutorial's order
    /// through any reference to the module. A kernel that is already row-major (while <see cref="LoadThroughRowMajorKernels"/>
    /// runs) stays the same tensor, so a loader that fills <c>state_dict()</c>'s tensors fills the parameters.
    /// </summary>
    internal static Dictionary<string, Tensor> RowMajorState(Dictionary<string, Tensor> state, ParameterDict weights, string prefix)
    {
        foreach (var layer in Layers.All)
        {
            var kernel = weights[layer.WeightKey];
            state[prefix + layer.WeightKey] = kernel.is_contiguous() ? kernel : kernel.detach().contiguous();
        }
        return state;
    }

    /// <summary>
    /// Runs <paramref name="action"/> (a loader) while every kernel of <paramref name="weights"/> is a row-major stand-in,
    /// then copies the values back into the original parameters (the objects an optimizer holds) and puts them back.
    /// </summary>
    internal static void LoadThroughRowMajorKernels(ParameterDict weights, Action action)
    {
        var originals = Layers.All.Select(l => (l.WeightKey, Parameter: weights[l.WeightKey])).ToArray();
        try
        {
            using (no_grad())
                foreach (var (key, p) in originals)
                    weights[key] = new Parameter(p.contiguous(), p.requires_grad);
            action();
        }
        finally
        {
            using (no_grad())
                foreach (var (key, p) in originals)
                {
                    var standIn = weights[key];
                    if (!ReferenceEquals(standIn, p))
                    {
                        p.copy_(standIn);
                        weights[key] = p;
                        standIn.Dispose();
                    }
                }
        }
    }
}
