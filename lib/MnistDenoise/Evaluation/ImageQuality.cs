using static TorchSharp.torch;

namespace MnistDenoise.Evaluation;

/// <summary>Per-image PSNR on tensors, the companion of <see cref="Ssim.PerImage"/>.</summary>
public static class ImageQuality
{
    /// <summary>
    /// Per-image PSNRs are capped at this many dB (MSE floored at 1e-10): an image the corruption left untouched (an
    /// occlusion over empty background) would otherwise score +∞ and make the mean over the set infinite.
    /// </summary>
    public const double MaxPsnr = 100;

    /// <summary>The PSNR of each image pair, 10·log10(1 / MSE) in dB: a float64 tensor (N) for batches (N, …) of equal shape.</summary>
    public static Tensor PsnrPerImage(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.shape.SequenceEqual(b.shape) || a.dim() < 2)
            throw new ArgumentException($"PSNR compares two batches of the same shape (N, …); got ({string.Join(", ", a.shape)}) and ({string.Join(", ", b.shape)}).");
        using var scope = NewDisposeScope();
        var diff = a.to(ScalarType.Float64) - b.to(ScalarType.Float64).to(a.device);
        var mse = diff.square().flatten(1).mean([1]).clamp_min(Math.Pow(10, -MaxPsnr / 10));
        return (-10 * mse.log10()).MoveToOuterDisposeScope();
    }
}
