namespace MnistDenoise.Tests;

/// <summary>Locations the tests need, found from the test binary, never hard-coded.</summary>
internal static class TestPaths
{
    /// <summary>The repository root: the nearest folder above the test binary holding global.json.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The native folder of TorchSharp's linux-x64 runtime in the test output (present on every OS).</summary>
    public static string LinuxNativeDirectory => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")))
                return dir.FullName;
        throw new DirectoryNotFoundException("No global.json above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh empty folder under the system's temporary folder, deleted on dispose.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("mnist-denoise-test-").FullName;
        public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
    }
}
