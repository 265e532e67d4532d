using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Evaluation;

/// <summary>
/// What a user can do without training a network, to set beside the autoencoder: classic filters on NHWC (N, H, W, 1)
/// batches in [0, 1], borders padded by repeating the edge pixel.
/// </summary>
public static class Baselines
{
    /// <summary>
    /// σ of <see cref="GaussianBlur"/>'s default: 0.75 pixel. Of 0.5, 0.75, 1, 1.25 and 1.5 it gave the best mean PSNR
    /// on the tutorial's noise (gaussian:0.5) over the 5,000 validation images, and also on mosaic:4, saltpepper:0.1 and
    /// mosaic:2+gaussian:0.3 (docs/results.md); wider blurs wash out MNIST's 2–3 pixel strokes.
    /// </summary>
    public const double DefaultBlurSigma = 0.75;

    /// <summary>The 3×3 median filter: each pixel becomes the median of itself and its 8 neighbours (removes isolated outliers such as salt and pepper).</summary>
    public static Tensor Median3x3(Tensor images)
    {
        CheckImages(images);
        using var scope = NewDisposeScope();
        var (n, h, w) = (images.shape[0], images.shape[1], images.shape[2]);
        var padded = nn.functional.pad(images.permute(0, 3, 1, 2), [1, 1, 1, 1], PaddingModes.Replicate);
        var windows = padded.unfold(2, 3, 1).unfold(3, 3, 1).reshape(n, 1, h, w, 9);
        var median = windows.sort(-1).Values.select(-1, 4);   // the 5th of 9 sorted values
        return median.permute(0, 2, 3, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>A Gaussian blur of standard deviation <paramref name="sigma"/> (window radius ⌈3σ⌉, weights summing to 1).</summary>
    public static Tensor GaussianBlur(Tensor images, double sigma = DefaultBlurSigma)
    {
        CheckImages(images);
        if (!double.IsFinite(sigma) || sigma <= 0 || sigma > 10)
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The blur's σ must be in (0, 10] pixels.");
        using var scope = NewDisposeScope();
        var radius = (int)Math.Ceiling(3 * sigma);
        var taps = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-0.5 * i * i / (sigma * sigma))).ToArray();
        var sum = taps.Sum();
        var kernel = tensor(taps.Select(t => (float)(t / sum)).ToArray(), images.dtype, images.device);
        var x = nn.functional.pad(images.permute(0, 3, 1, 2), [radius, radius, radius, radius], PaddingModes.Replicate);
        // Separable: a row pass, then a column pass.
        x = nn.functional.conv2d(x, kernel.view(1, 1, 1, -1));
        x = nn.functional.conv2d(x, kernel.view(1, 1, -1, 1));
        return x.permute(0, 2, 3, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The classic way to undo pixelation: the means of the <paramref name="block"/>×<paramref name="block"/> blocks
    /// (aligned to the top-left corner, as <see cref="Corruption.Mosaic"/> makes them) upscaled back with bicubic
    /// interpolation (sample points at the block centres, edges repeated), clamped to [0, 1]. On a mosaic this turns the
    /// blocks into smooth ramps; where noise was added after the mosaic it also averages the noise within each block.
    /// </summary>
    public static Tensor BicubicFromBlocks(Tensor images, int block)
    {
        CheckImages(images);
        if (block is < 1 or > 28)
            throw new ArgumentOutOfRangeException(nameof(block), block, "The block side must be 1 to 28 pixels.");
        using var scope = NewDisposeScope();
        var (h, w) = (images.shape[1], images.shape[2]);
        var means = nn.functional.avg_pool2d(images.permute(0, 3, 1, 2), [block, block], [block, block], ceil_mode: true, count_include_pad: false);
        // Upscale the block grid to whole blocks, then cut to the image: a partial edge block keeps its centre's spacing.
        var (gh, gw) = (means.shape[2] * block, means.shape[3] * block);
        var up = nn.functional.interpolate(means, size: [gh, gw], mode: InterpolationMode.Bicubic, align_corners: false);
        return up[.., .., ..(int)h, ..(int)w].clamp(0, 1).permute(0, 2, 3, 1).contiguous().MoveToOuterDisposeScope();
    }

    private static void CheckImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[3] != 1)
            throw new ArgumentException($"The filters take NHWC batches (N, H, W, 1); got shape ({string.Join(", ", images.shape)}).", nameof(images));
    }
}
