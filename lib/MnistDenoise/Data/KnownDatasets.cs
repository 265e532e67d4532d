namespace MnistDenoise.Data;

/// <summary>
/// The datasets a caller can pick by name — <c>mnist</c> and <c>fashion-mnist</c> (alias <c>fashion</c>) — and
/// Fashion-MNIST's system folder, read from unless told otherwise.
/// </summary>
public static class KnownDatasets
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the four <c>.gz</c> files.</summary>
    public const string DebianFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The accepted names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["mnist", "fashion-mnist", "fashion"];

    /// <summary>The spec of <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static DatasetSpec Spec(string name) => Canonical(name) == "mnist" ? DatasetSpec.Mnist : DatasetSpec.FashionMnist;

    /// <summary><c>mnist</c> or <c>fashion-mnist</c>.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>.</exception>
    public static string Canonical(string name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "mnist" => "mnist",
        "fashion-mnist" or "fashion" or "fashionmnist" => "fashion-mnist",
        _ => throw new ArgumentException($"Unknown dataset '{name}': use mnist or fashion-mnist (alias fashion).", nameof(name)),
    };

    /// <summary>
    /// Reads <paramref name="name"/> from <paramref name="directory"/> as <see cref="Mnist.ReadDataSets"/> does, images
    /// as (N, 28, 28, 1). Only Fashion-MNIST has a default folder (<see cref="DebianFashionMnistDirectory"/>, used when
    /// <paramref name="directory"/> is null); MNIST's folder is the caller's to give.
    /// </summary>
    /// <exception cref="ArgumentNullException">MNIST is asked for without a folder.</exception>
    /// <exception cref="FileNotFoundException">Fashion-MNIST is asked for from its default folder and that folder lacks the files: the message names the Debian package to install.</exception>
    public static DataSets Read(string name, string? directory = null, int? seed = null, IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Read(name, directory, seed, progress, DebianFashionMnistDirectory, cancellationToken);

    /// <summary><see cref="Read(string, string?, int?, IProgress{DownloadProgress}?, CancellationToken)"/> with Fashion-MNIST's default folder given, for tests.</summary>
    internal static DataSets Read(string name, string? directory, int? seed, IProgress<DownloadProgress>? progress, string fashionDirectory,
        CancellationToken cancellationToken = default)
    {
        var spec = Spec(name);
        if (directory is null && spec == DatasetSpec.FashionMnist)
        {
            directory = fashionDirectory;
            // A system folder: downloading into it would fail on permissions, so say what to install instead.
            var missing = spec.Files.Where(f => f.Locate(directory) is null).Select(f => f.GzipName).ToArray();
            if (missing.Length > 0)
                throw new FileNotFoundException(
                    $"Fashion-MNIST is not installed: {string.Join(", ", missing)} missing from {directory}. Install the Debian " +
                    "package dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist), or give a folder of your own, " +
                    "where missing files are downloaded.",
                    Path.Combine(directory, missing[0]));
        }
        ArgumentNullException.ThrowIfNull(directory);
        return Mnist.ReadDataSets(directory, oneHot: false, reshape: false, seed: seed, spec: spec, progress: progress,
            cancellationToken: cancellationToken);
    }
}
