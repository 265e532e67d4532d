using System.Globalization;
using static TorchSharp.torch;

namespace MnistDenoise.Corruption;

/// <summary>
/// The corruptions this project knows, and the parser of their specs: <c>kind:parameter</c>, combined with <c>+</c>
/// and applied left to right, e.g. <c>mosaic:4</c>, <c>gaussian:0.5+saltpepper:0.05</c>, <c>occlusion:12x8</c>.
/// </summary>
public static class Corruptions
{
    /// <summary>The tutorial's corruption, <c>gaussian:0.5</c>; it draws exactly the noise <see cref="GaussianNoise.Apply"/> draws.</summary>
    public static ICorruption Default { get; } = new Gaussian(0.5);

    /// <summary>The spec of every kind with its parameter and range, as error messages and help texts list them.</summary>
    public const string ValidKinds =
        "gaussian:σ (noise standard deviation, 0 to 10; the tutorial's is gaussian:0.5), " +
        "mosaic:k (k×k block average, k a whole number 1 to 28, e.g. mosaic:4), " +
        "saltpepper:p (each pixel set to 0 or 1 with probability p, 0 to 1, e.g. saltpepper:0.05), " +
        "occlusion:W or occlusion:WxH (one W×H block blanked to 0 at a random place, 1 to 28 pixels, e.g. occlusion:10x10); " +
        "combine kinds with '+', e.g. gaussian:0.5+saltpepper:0.05";

    /// <summary>The corruptions the results table and notebook 06 compare by default.</summary>
    public const string DefaultSet = "gaussian:0.5, mosaic:4, mosaic:7, mosaic:2+gaussian:0.3, saltpepper:0.1, occlusion:10x10";

    /// <summary>
    /// The damage a run means: <paramref name="spec"/> parsed, or, when there is none, the tutorial's Gaussian noise of
    /// standard deviation <paramref name="noiseFactor"/> (the older way to say the same thing, kept as an alias).
    /// </summary>
    /// <exception cref="FormatException"><paramref name="spec"/> is not a valid spec.</exception>
    public static ICorruption Resolve(string? spec, double noiseFactor) => spec is null ? new Gaussian(noiseFactor) : Parse(spec);

    /// <summary>Reads a spec such as <c>gaussian:0.5+saltpepper:0.05</c> (case and spaces around parts are ignored).</summary>
    /// <exception cref="FormatException">The spec is empty, names an unknown kind, or a parameter is missing or out of range; the message lists the valid kinds.</exception>
    public static ICorruption Parse(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
            throw Invalid(spec ?? "", "it is empty");
        var parts = spec.Split('+').Select(p => p.Trim()).ToArray();
        if (parts.Any(p => p.Length == 0))
            throw Invalid(spec, "a '+' has nothing on one side");
        var corruptions = parts.Select(p => ParseOne(spec, p)).ToArray();
        return corruptions.Length == 1 ? corruptions[0] : new Combined(corruptions);
    }

    /// <summary>Reads a list of specs separated by commas or semicolons, e.g. <c>mosaic:4, gaussian:0.5+saltpepper:0.05</c>.</summary>
    /// <exception cref="FormatException">The list is empty or one spec is invalid.</exception>
    public static IReadOnlyList<ICorruption> ParseList(string specs)
    {
        var items = (specs ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0)
            throw Invalid(specs ?? "", "the list is empty");
        return items.Select(Parse).ToArray();
    }

    /// <summary>True and the corruption when <paramref name="spec"/> is valid; false and the reason otherwise.</summary>
    public static bool TryParse(string spec, out ICorruption? corruption, out string? error)
    {
        try
        {
            corruption = Parse(spec);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            corruption = null;
            error = e.Message;
            return false;
        }
    }

    private static ICorruption ParseOne(string spec, string part)
    {
        var colon = part.IndexOf(':');
        var kind = (colon < 0 ? part : part[..colon]).Trim().ToLowerInvariant();
        var value = colon < 0 ? null : part[(colon + 1)..].Trim();
        if (kind is not ("gaussian" or "mosaic" or "saltpepper" or "occlusion"))
            throw Invalid(spec, $"'{kind}' is not a corruption");
        if (string.IsNullOrEmpty(value))
            throw Invalid(spec, $"'{kind}' needs a parameter after a colon");
        var inv = CultureInfo.InvariantCulture;
        switch (kind)
        {
            case "gaussian":
                if (!double.TryParse(value, NumberStyles.Float, inv, out var sigma) || !double.IsFinite(sigma) || sigma is < 0 or > 10)
                    throw Invalid(spec, $"gaussian needs a standard deviation from 0 to 10, not '{value}'");
                return new Gaussian(sigma);
            case "mosaic":
                if (!int.TryParse(value, NumberStyles.Integer, inv, out var k) || k is < 1 or > 28)
                    throw Invalid(spec, $"mosaic needs a whole block size from 1 to 28, not '{value}'");
                return new Mosaic(k);
            case "saltpepper":
                if (!double.TryParse(value, NumberStyles.Float, inv, out var p) || !double.IsFinite(p) || p is < 0 or > 1)
                    throw Invalid(spec, $"saltpepper needs a probability from 0 to 1, not '{value}'");
                return new SaltPepper(p);
            default:
                var sides = value.ToLowerInvariant().Split(['x', '×']);
                if (sides.Length > 2 || !sides.All(s => int.TryParse(s, NumberStyles.Integer, inv, out var n) && n is >= 1 and <= 28))
                    throw Invalid(spec, $"occlusion needs a block size W or WxH with whole sides from 1 to 28, not '{value}'");
                var width = int.Parse(sides[0], inv);
                return new Occlusion(width, sides.Length == 2 ? int.Parse(sides[1], inv) : width);
        }
    }

    private static FormatException Invalid(string spec, string why) =>
        new($"Invalid corruption '{spec}': {why}. Valid corruptions: {ValidKinds}.");

    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>NHWC (N, H, W, 1) check shared by every kind, so a wrong layout fails with a message, not deep in torch.</summary>
    internal static void CheckImages(Tensor clean)
    {
        ArgumentNullException.ThrowIfNull(clean);
        if (clean.dim() != 4 || clean.shape[3] != 1)
            throw new ArgumentException($"Corruptions take NHWC image batches (N, H, W, 1); got shape ({string.Join(", ", clean.shape)}).", nameof(clean));
    }
}
