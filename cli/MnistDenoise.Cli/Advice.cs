using System.Globalization;
using MnistDenoise.Data;
using MnistDenoise.Inference;
using MnistDenoise.Model;
using MnistDenoise.Training;

namespace MnistDenoise.Cli;

/// <summary>
/// The command line's advice on the library's errors: the library says what is wrong (and which setting, in its own
/// terms); this adds the flag or the command that fixes it. Each takes the library's exception and returns the one to
/// report (the same exit code follows from its type), or the exception itself when there is nothing to add.
/// </summary>
internal static class Advice
{
    /// <summary>A missing checkpoint, with how to make one.</summary>
    public static FileNotFoundException MissingCheckpoint(string path, Exception? inner = null) => new(
        $"No checkpoint at {path}: train one with 'mnist-denoise train' (it writes out/{Checkpoint.DefaultFileName}) or pass --checkpoint.", path, inner);

    /// <summary>Loading the torch engine's checkpoint failed: a missing file gets <see cref="MissingCheckpoint"/>.</summary>
    public static Exception ForCheckpoint(Exception e) => e is FileNotFoundException missing ? MissingCheckpoint(missing.FileName ?? "", missing) : e;

    /// <summary>Loading the ONNX engine's model failed: say how to write one.</summary>
    public static Exception ForOnnx(Exception e) => e switch
    {
        FileNotFoundException missing => new FileNotFoundException(
            $"No ONNX model at {missing.FileName}: write one with 'mnist-denoise export --onnx {missing.FileName}'.", missing.FileName, missing),
        InvalidDataException damaged => new InvalidDataException($"{damaged.Message} {OnTheCommandLine} 'mnist-denoise export --onnx'.", damaged),
        _ => e,
    };

    /// <summary>Appended to denoise's error for a picture refused with its colours guessed.</summary>
    public static string ForPicture(DenoiseOutcome outcome) => outcome.InvertMayHelp ? $" {OnTheCommandLine} --invert always or --invert never." : "";

    /// <summary>Training stopped on a non-finite loss: the message, and the flags for the library's suggestions.</summary>
    public static string ForDivergence(TrainingDivergedException e) =>
        e.Suggestions.Count == 0 ? e.Message : $"{e.Message} {OnTheCommandLine} {string.Join(" or ", e.Suggestions.Select(s => $"{Flags.Of(s.Property)} {Value(s.Value)}"))}.";

    /// <summary>The trainer refused the device or the precision asked for: name the flag that picks the default.</summary>
    public static Exception ForTrainer(Exception e, TrainingOptions options) => e switch
    {
        NotSupportedException when options.Precision == Precision.BFloat16 =>
            new NotSupportedException($"{e.Message} {OnTheCommandLine} {Flags.Precision} {Choices.Precision.NameOf(Precision.Float32)}.", e),
        InvalidOperationException when options.Device.Trim().ToLowerInvariant() != "cpu" =>
            new InvalidOperationException($"{e.Message} {OnTheCommandLine} {Flags.Device} cpu.", e),
        _ => e,
    };

    /// <summary>
    /// A download failed where a built-in mirror was plain HTTP (Fashion-MNIST's): such a mirror is used only when named,
    /// which train's --mirror does.
    /// </summary>
    public static Exception ForDownload(DownloadFailedException e) => e.Failures.Any(f => f.Url.Scheme == Uri.UriSchemeHttp)
        ? new IOException($"{e.Message}{Environment.NewLine}{OnTheCommandLine} a plain http:// mirror is used when you name it: --mirror URL.", e)
        : e;

    /// <summary>Fashion-MNIST is missing from its system folder: --data names a folder of one's own.</summary>
    public static Exception ForMissingDataset(FileNotFoundException e) =>
        new FileNotFoundException($"{e.Message} {OnTheCommandLine} --data FOLDER.", e.FileName, e);

    private const string OnTheCommandLine = "On the command line:";

    private static string Value(object value) => value switch
    {
        WeightInit init => Choices.Init.NameOf(init),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
