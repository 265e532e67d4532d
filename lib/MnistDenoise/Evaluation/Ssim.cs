using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Evaluation;

/// <summary>
/// Structural similarity (Wang, Bovik, Sheikh and Simoncelli 2004) with the paper's settings: an 11×11 Gaussian
/// window of σ = 1.5, K1 = 0.01, K2 = 0.03, for images in [0, 1] (L = 1). Matches scikit-image's
/// <c>structural_similarity(a, b, data_range=1, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)</c>:
/// the map is averaged over the pixels whose window lies wholly inside the image (scikit-image filters with
/// reflected borders, then crops those 5 pixels on each side, so the padding never counts).
/// </summary>
public static class Ssim
{
    /// <summary>Side of the Gaussian window.</summary>
    public const int WindowSize = 11;

    /// <summary>Standard deviation of the Gaussian window in pixels.</summary>
    public const double Sigma = 1.5;

    private const double C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;

    /// <summary>The SSIM of each image pair: a tensor (N) of float64 values in [-1, 1], 1 for identical images.</summary>
    /// <param name="a">Images (N, H, W, 1) with values in [0, 1], H and W at least 11.</param>
    /// <param name="b">Images of the same shape.</param>
    public static Tensor PerImage(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.dim() != 4 || a.shape[3] != 1 || !a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"SSIM compares two NHWC batches (N, H, W, 1) of the same shape; got ({string.Join(", ", a.shape)}) and ({string.Join(", ", b.shape)}).");
        if (a.shape[1] < WindowSize || a.shape[2] < WindowSize)
            throw new ArgumentException($"SSIM's {WindowSize}×{WindowSize} window needs images of at least {WindowSize}×{WindowSize} pixels.");
        using var scope = NewDisposeScope();
        // float64 so the fixture (computed in float64 by scikit-image) is matched to ~1e-7, not float32's ~1e-4.
        var x = a.permute(0, 3, 1, 2).to(ScalarType.Float64);
        var y = b.permute(0, 3, 1, 2).to(ScalarType.Float64).to(x.device);
        var taps = Taps(x.device);
        var (down, across) = (taps.view(1, 1, WindowSize, 1), taps.view(1, 1, 1, WindowSize));
        // The Gaussian window is separable: two 11-tap passes instead of one 11×11 one. Same values (to rounding),
        // a ninth of the work, and libtorch's float64 im2col buffer is 11 rather than 121 values per pixel (the 2-D
        // filter over a batch of 200 held ~60 MB per call and grew the evaluation's peak memory by ~800 MB).
        Tensor Filter(Tensor t) => nn.functional.conv2d(nn.functional.conv2d(t, down), across);   // no padding: exactly scikit-image's cropped map
        var (mx, my) = (Filter(x), Filter(y));
        var vx = Filter(x * x) - mx * mx;
        var vy = Filter(y * y) - my * my;
        var cxy = Filter(x * y) - mx * my;
        var map = (2 * mx * my + C1) * (2 * cxy + C2) / ((mx * mx + my * my + C1) * (vx + vy + C2));
        return map.mean([1, 2, 3]).MoveToOuterDisposeScope();
    }

    /// <summary>The SSIM of two single images of <paramref name="side"/>² values each.</summary>
    public static double Between(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int side = 28)
    {
        if (a.Length != side * side || b.Length != side * side)
            throw new ArgumentException($"SSIM needs two images of {side}×{side} = {side * side} values; got {a.Length} and {b.Length}.");
        using var scope = NewDisposeScope();
        return PerImage(tensor(a.ToArray(), [1, side, side, 1]), tensor(b.ToArray(), [1, side, side, 1])).item<double>();
    }

    /// <summary>scipy's 1-D Gaussian kernel as scikit-image uses it: radius int(3.5·σ + 0.5) = 5, weights normalised to sum 1.</summary>
    private static Tensor Taps(Device device)
    {
        var radius = WindowSize / 2;
        var taps = Enumerable.Range(-radius, WindowSize).Select(i => Math.Exp(-0.5 * i * i / (Sigma * Sigma))).ToArray();
        var sum = taps.Sum();
        return tensor(taps.Select(t => t / sum).ToArray(), ScalarType.Float64, device);
    }
}
