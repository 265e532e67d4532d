namespace MnistDenoise.Tests.Data;

/// <summary>Shorthands for files in a test's temporary folder.</summary>
internal static class TempDirectoryExtensions
{
    public static string File(this TestPaths.TempDirectory temp, string name) => Path.Combine(temp.Path, name);

    /// <summary>Names of the files in the folder, sorted.</summary>
    public static string[] FileNames(this TestPaths.TempDirectory temp) =>
        Directory.GetFiles(temp.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
}
