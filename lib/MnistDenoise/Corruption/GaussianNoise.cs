using static TorchSharp.torch;

namespace MnistDenoise.Corruption;

/// <summary>The tutorial's corruption: <c>np.clip(imgs + factor * np.random.randn(*imgs.shape), 0, 1)</c>.</summary>
public static class GaussianNoise
{
    /// <summary>Adds N(0, factor²) noise to every pixel and clips to [0, 1]; <paramref name="clean"/> is not changed.</summary>
    /// <param name="clean">Images with values in [0, 1], any shape.</param>
    /// <param name="factor">Standard deviation of the noise; the tutorial uses 0.5.</param>
    /// <param name="generator">Random source, for reproducible noise; null uses torch's global generator.</param>
    public static Tensor Apply(Tensor clean, double factor, Generator? generator = null)
    {
        if (!double.IsFinite(factor) || factor < 0)
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The noise factor must be a finite number ≥ 0 (the tutorial uses 0.5).");
        using var noise = randn(clean.shape, dtype: clean.dtype, generator: generator);
        return (clean + factor * noise.to(clean.device)).clamp_(0, 1);
    }
}
