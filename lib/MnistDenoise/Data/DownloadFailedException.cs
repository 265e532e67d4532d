namespace MnistDenoise.Data;

/// <summary>No mirror could deliver a file. The message lists every mirror tried and why it failed.</summary>
public sealed class DownloadFailedException : IOException
{
    /// <summary>Creates the exception for <paramref name="fileName"/>, which was to be saved in <paramref name="directory"/>.</summary>
    public DownloadFailedException(string fileName, string directory, IReadOnlyList<MirrorFailure> failures)
        : base(BuildMessage(fileName, directory, failures))
    {
        FileName = fileName;
        Directory = directory;
        Failures = failures;
    }

    /// <summary>The file that could not be downloaded.</summary>
    public string FileName { get; }

    /// <summary>The folder it was to be saved in.</summary>
    public string Directory { get; }

    /// <summary>Each mirror tried, in order, with the reason it failed.</summary>
    public IReadOnlyList<MirrorFailure> Failures { get; }

    private static string BuildMessage(string fileName, string directory, IReadOnlyList<MirrorFailure> failures)
    {
        string tried = failures.Count == 0
            ? " No mirror was given."
            : string.Concat(failures.Select(f => $"{Environment.NewLine}  - {f.Url}: {f.Reason}"));
        return $"Could not download '{fileName}' from any mirror.{tried}{Environment.NewLine}" +
               $"Download it by other means and place it (gzip-compressed or raw) in '{directory}'.";
    }
}
