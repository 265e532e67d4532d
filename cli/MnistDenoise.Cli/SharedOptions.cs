using System.CommandLine;
using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Model;
using MnistDenoise.Training;

namespace MnistDenoise.Cli;

/// <summary>Options that several commands share.</summary>
internal static class SharedOptions
{
    public static Option<DirectoryInfo> DataDirectory() => new Option<DirectoryInfo>("--data")
    {
        Description = "Folder with the MNIST (or Fashion-MNIST) IDX files, .gz or raw; missing files are downloaded. Default: the repository's data/mnist.",
        DefaultValueFactory = _ => new DirectoryInfo(DataFolders.Mnist),
    }.NotAFile();

    public static Option<DirectoryInfo> OutputDirectory() => new Option<DirectoryInfo>("--output", "-o")
    {
        Description = "Folder for the checkpoint, the PNG and metrics.json (created if missing).",
        DefaultValueFactory = _ => new DirectoryInfo("out"),
    }.NotAFile();

    /// <summary>
    /// --mirror, read as text and checked here: System.CommandLine has no parser for <see cref="Uri"/> and refused
    /// every value ("Cannot parse argument … as expected type 'System.Uri'"). See <see cref="MirrorUris"/>.
    /// </summary>
    public static Option<string[]> Mirrors()
    {
        var option = new Option<string[]>("--mirror")
        {
            Description = "Base URL to download missing files from instead of the built-in HTTPS mirrors (repeatable). " +
                          "Naming a plain http:// mirror here is the only way one is used; checksums are verified either way.",
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Select(t => t.Value))
                if (ParseMirror(token) is null)
                    result.AddError($"--mirror: '{token}' is not an http:// or https:// URL. Pass the folder the files are in, e.g. https://example.com/mnist/");
        });
        return option;
    }

    /// <summary>The URLs --mirror named (already validated), or null when it was not given.</summary>
    public static Uri[]? MirrorUris(string[]? values) => values is { Length: > 0 } ? [.. values.Select(v => ParseMirror(v)!)] : null;

    private static Uri? ParseMirror(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.Host.Length > 0
            ? uri : null;

    /// <summary>--eval-size: 1 to the test set's 10,000 images (both datasets have 10,000); more is refused, not silently cut.</summary>
    public static Option<int?> EvalSize() => new Option<int?>("--eval-size") { Description = "Score only the first N test images (default: all 10,000)." }
        .Range(new ValueRange<int>(1, TestImages, $"the test set has {TestImages:N0} images; leave it out to score them all"));

    /// <summary>Test images in MNIST and in Fashion-MNIST (their checksums fix the files, so no --data folder has other counts).</summary>
    public const int TestImages = 10_000;

    /// <summary>
    /// Sets up torch for a command that trains (<see cref="MnistDenoise.Runtime.TorchProcess.Configure"/> with
    /// <paramref name="threads"/>), warning (stderr) first when more threads are asked for than the machine has cores:
    /// they wait for each other.
    /// </summary>
    public static void ConfigureTorch(int? threads)
    {
        if (threads is { } n && n > Environment.ProcessorCount)
            Console.Error.WriteLine($"warning: {n} threads on {Environment.ProcessorCount} core(s): threads beyond the core count wait for each other " +
                "and make every step slower. Leave --threads out to use one per core.");
        MnistDenoise.Runtime.TorchProcess.Configure(threads);
    }

    /// <summary>
    /// <paramref name="path"/> as one shell word, to paste into a shell: unchanged when it has no special characters,
    /// otherwise single-quoted for POSIX shells (double-quoted on Windows).
    /// </summary>
    public static string ShellQuote(string path)
    {
        if (path.Length > 0 && path.All(c => char.IsAsciiLetterOrDigit(c) || "_./@%+=:,-".Contains(c))) return path;
        return OperatingSystem.IsWindows() ? $"\"{path}\"" : "'" + path.Replace("'", "'\\''") + "'";
    }

    public static Option<double> Noise() => new Option<double>(Flags.Noise)
    {
        Description = "Standard deviation of the Gaussian noise: clip(x + noise·randn, 0, 1).",
        DefaultValueFactory = _ => 0.5,
    }.Range(TrainingLimits.NoiseFactor);

    public static Option<int> Images() => new Option<int>("--images")
    {
        Description = "Test images in the side-by-side picture.",
        DefaultValueFactory = _ => 10,
    }.Range(new ValueRange<int>(1, 100, "the tutorial shows 10"));

    public static Option<GraphForm> Graph() => new(Flags.Graph)
    {
        Description = "fast (default: the same function as the tutorial's graph with about half the arithmetic) or literal " +
                      "(the tutorial's ops one for one). Checkpoints of either load into both.",
        DefaultValueFactory = _ => GraphForm.Fast,
    };

    public static Option<string> Device() => new Option<string>(Flags.Device)
    {
        Description = "cpu, or cuda with a CUDA build of TorchSharp (see README).",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<int?> Threads() => new Option<int?>(Flags.Threads)
    {
        Description = "Torch intra-op threads (default: TorchSharp's, the number of cores).",
    }.Range(TrainingLimits.Threads);

    public static Option<string> Dataset() => new Option<string>("--dataset")
    {
        Description = "mnist or fashion-mnist (alias fashion): which checksums and mirrors the files in --data are checked against. " +
            $"Without --data, Fashion-MNIST is read from {KnownDatasets.DebianFashionMnistDirectory} (Debian package dataset-fashion-mnist).",
        DefaultValueFactory = _ => "mnist",
    }.AcceptOnlyFromAmong([.. KnownDatasets.Names]);

    /// <summary>The folder --data names, else the dataset's default (<see cref="DataFolders.Default"/>; null: Fashion-MNIST's own).</summary>
    public static string? DataDirectory(ParseResult parse, Option<DirectoryInfo> data, string dataset) =>
        parse.GetResult(data) is { Implicit: false } ? parse.GetValue(data)!.FullName : DataFolders.Default(dataset);

    public static Option<string?> Corruption() => new Option<string?>(Flags.Corruption)
    {
        Description = "The damage to undo, e.g. mosaic:4 or gaussian:0.5+saltpepper:0.05 (overrides --noise). " + Corruptions.ValidKinds + ".",
    }.ValidCorruption();
}
