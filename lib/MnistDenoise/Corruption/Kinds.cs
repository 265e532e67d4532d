using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Corruption;

/// <summary>The tutorial's corruption as an <see cref="ICorruption"/>: <c>clip(x + σ·randn, 0, 1)</c>, via <see cref="GaussianNoise.Apply"/>.</summary>
/// <param name="Sigma">Standard deviation of the noise, 0 to 10.</param>
public sealed record Gaussian(double Sigma) : ICorruption
{
    /// <inheritdoc/>
    public string Spec => $"gaussian:{Corruptions.Number(Sigma)}";

    /// <inheritdoc/>
    public Tensor Apply(Tensor clean, Generator? generator = null)
    {
        Corruptions.CheckImages(clean);
        return GaussianNoise.Apply(clean, Sigma, generator);
    }
}

/// <summary>
/// Pixelation, the "mosaic" of the post's title: every k×k block (aligned to the top-left corner) is replaced by its
/// mean; blocks cut by the right or bottom edge average only the pixels they hold. Draws nothing from the generator.
/// </summary>
/// <param name="BlockSize">Side of the blocks in pixels, 1 (no change) to 28.</param>
public sealed record Mosaic(int BlockSize) : ICorruption
{
    /// <inheritdoc/>
    public string Spec => $"mosaic:{BlockSize}";

    /// <inheritdoc/>
    public Tensor Apply(Tensor clean, Generator? generator = null)
    {
        Corruptions.CheckImages(clean);
        using var scope = NewDisposeScope();
        var (height, width) = (clean.shape[1], clean.shape[2]);
        var k = BlockSize;
        // ceil_mode keeps the partial blocks at the edges; with no padding torch divides them by the pixels they hold.
        var means = nn.functional.avg_pool2d(clean.permute(0, 3, 1, 2), [k, k], [k, k], ceil_mode: true, count_include_pad: false);
        var blocks = means.repeat_interleave(k, 2).repeat_interleave(k, 3)[.., .., ..(int)height, ..(int)width];
        return blocks.permute(0, 2, 3, 1).contiguous().MoveToOuterDisposeScope();
    }
}

/// <summary>Salt-and-pepper noise: each pixel independently becomes 0 or 1 (equally likely) with probability p.</summary>
/// <param name="Probability">Chance that a pixel is hit, 0 to 1.</param>
public sealed record SaltPepper(double Probability) : ICorruption
{
    /// <inheritdoc/>
    public string Spec => $"saltpepper:{Corruptions.Number(Probability)}";

    /// <inheritdoc/>
    public Tensor Apply(Tensor clean, Generator? generator = null)
    {
        Corruptions.CheckImages(clean);
        using var scope = NewDisposeScope();
        // One draw of two numbers per pixel (hit?, salt or pepper?) so that the damage does not depend on how a set is
        // cut into batches: the generator's stream is consumed in the same order either way.
        var u = rand([.. clean.shape, 2], dtype: ScalarType.Float32, generator: generator).to(clean.device);
        var hit = u[TensorIndex.Ellipsis, 0] < Probability;
        var salt = (u[TensorIndex.Ellipsis, 1] < 0.5).to(clean.dtype);
        return where(hit, salt, clean).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Random occlusion (the inpainting task): in every image one W×H block, placed uniformly at random wholly inside the
/// image, is blanked to 0 (MNIST's background), so the strokes it covers are gone.
/// </summary>
/// <param name="Width">Block width in pixels, 1 to 28.</param>
/// <param name="Height">Block height in pixels, 1 to 28.</param>
public sealed record Occlusion(int Width, int Height) : ICorruption
{
    /// <inheritdoc/>
    public string Spec => $"occlusion:{Width}x{Height}";

    /// <inheritdoc/>
    public Tensor Apply(Tensor clean, Generator? generator = null)
    {
        Corruptions.CheckImages(clean);
        var (n, height, width) = (clean.shape[0], clean.shape[1], clean.shape[2]);
        if (Width > width || Height > height)
            throw new ArgumentException($"An occlusion of {Width}x{Height} does not fit in {width}x{height} images.", nameof(clean));
        using var scope = NewDisposeScope();
        // One draw per image for both coordinates, so the places do not depend on how a set is cut into batches.
        var u = rand([n, 2], dtype: ScalarType.Float64, generator: generator).to(clean.device);
        var top = (u[.., 0] * (height - Height + 1)).floor().to(ScalarType.Int64).view(n, 1, 1, 1);
        var left = (u[.., 1] * (width - Width + 1)).floor().to(ScalarType.Int64).view(n, 1, 1, 1);
        var rows = arange(height, device: clean.device).view(1, height, 1, 1);
        var columns = arange(width, device: clean.device).view(1, 1, width, 1);
        var inside = (rows >= top) & (rows < top + Height) & (columns >= left) & (columns < left + Width);
        return clean.masked_fill(inside, 0).MoveToOuterDisposeScope();
    }
}

/// <summary>Several corruptions applied one after the other, left to right, all drawing from the same generator.</summary>
/// <param name="Parts">The corruptions, in order.</param>
public sealed record Combined(IReadOnlyList<ICorruption> Parts) : ICorruption
{
    /// <inheritdoc/>
    public string Spec => string.Join("+", Parts.Select(p => p.Spec));

    /// <inheritdoc/>
    public Tensor Apply(Tensor clean, Generator? generator = null)
    {
        Corruptions.CheckImages(clean);
        using var scope = NewDisposeScope();
        var images = clean;
        foreach (var part in Parts)
            images = part.Apply(images, generator);
        return (ReferenceEquals(images, clean) ? images.clone() : images).MoveToOuterDisposeScope();
    }

    /// <summary>Records compare lists by reference; two combinations are equal when their specs are.</summary>
    public bool Equals(Combined? other) => other is not null && Spec == other.Spec;

    /// <inheritdoc/>
    public override int GetHashCode() => Spec.GetHashCode(StringComparison.Ordinal);
}
