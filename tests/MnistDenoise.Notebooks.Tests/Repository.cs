namespace MnistDenoise.Notebooks.Tests;

/// <summary>Where things are, found from the test binary (never hard-coded), and what must be built first.</summary>
internal static class Repository
{
    /// <summary>The repository root: the nearest folder above the test binary holding global.json.</summary>
    public static string Root { get; } = FindRoot();

    public static string Notebooks => Path.Combine(Root, "notebooks");

    /// <summary>The notebooks, in order: the tutorial's five, then 06 (other damage, baselines, the results table).</summary>
    public static IReadOnlyList<string> Series { get; } =
        ["01-data-exploration.ipynb", "02-reshape.ipynb", "03-model.ipynb", "04-training.ipynb", "05-reconstruction.ipynb",
         "06-mosaic-and-beyond.ipynb"];

    /// <summary>The configuration this test binary was built in (Release under CI).</summary>
    public static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    /// <summary>notebook-runner, built with the tests (the test project references it), in the same configuration.</summary>
    public static string RunnerDll
    {
        get
        {
            var dll = Path.Combine(Root, "cli", "NotebookRunner", "bin", Configuration, "net10.0", "notebook-runner.dll");
            Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first (dotnet build MnistDenoise.slnx -c Release).");
            return dll;
        }
    }

    /// <summary>The notebooks #r the libraries' Release builds; fails with the command to run when they are missing.</summary>
    public static void RequireReleaseLibraries()
    {
        foreach (var dll in new[] { "lib/MnistDenoise/bin/Release/net10.0/MnistDenoise.dll", "lib/MnistDenoise.Notebooks/bin/Release/net10.0/MnistDenoise.Notebooks.dll" })
            Assert.True(File.Exists(Path.Combine(Root, dll)),
                $"{dll} is missing: the notebooks load the Release build. Run `dotnet build MnistDenoise.slnx -c Release` first.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "global.json")))
                return dir.FullName;
        throw new DirectoryNotFoundException("No global.json above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fresh empty folder under the system's temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("mnist-denoise-notebooks-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
