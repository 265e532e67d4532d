namespace MnistDenoise.Data;

/// <summary>One file of a dataset: its raw IDX name and the SHA-256 of its raw (decompressed) content.</summary>
/// <param name="Name">Raw file name, e.g. <c>train-images-idx3-ubyte</c>; mirrors serve <c>Name + ".gz"</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the raw, decompressed file.</param>
public sealed record DatasetFile(string Name, string Sha256)
{
    /// <summary>The name under which mirrors serve the file and downloads are saved (<see cref="Name"/> + ".gz").</summary>
    public string GzipName => Name + ".gz";

    /// <summary>
    /// The path of this file in <paramref name="directory"/>, compressed (<see cref="GzipName"/>, looked for first)
    /// or raw (<see cref="Name"/>); <c>null</c> when neither is there.
    /// </summary>
    public string? Locate(string directory)
    {
        string gzip = Path.Combine(directory, GzipName);
        if (File.Exists(gzip))
        {
            return gzip;
        }

        string raw = Path.Combine(directory, Name);
        return File.Exists(raw) ? raw : null;
    }
}
