namespace MnistDenoise.Evaluation;

/// <summary>Peak signal-to-noise ratio for images with values in [0, 1]: 10·log10(1 / MSE), in dB.</summary>
public static class Psnr
{
    /// <summary>PSNR from a mean squared error; +∞ for identical images.</summary>
    public static double FromMse(double mse) => mse <= 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);

    /// <summary>PSNR between two images (or two sets of images) of equal length.</summary>
    public static double Between(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length || a.Length == 0)
            throw new ArgumentException($"PSNR needs two non-empty images of equal size; got {a.Length} and {b.Length} values.");
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return FromMse(sum / a.Length);
    }
}
