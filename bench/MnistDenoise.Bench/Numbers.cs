using System.Globalization;

namespace MnistDenoise.Bench;

/// <summary>How the bench summarises and prints its measurements.</summary>
internal static class Numbers
{
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The median: robust to the odd slow step a busy machine gives.</summary>
    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary><paramref name="value"/> in <paramref name="format"/>, or "n/a" for a measurement that is missing (NaN).</summary>
    public static string F(double value, string format) => double.IsFinite(value) ? value.ToString(format, Inv) : "n/a";
}
