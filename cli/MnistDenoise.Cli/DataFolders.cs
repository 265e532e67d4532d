using MnistDenoise.Data;

namespace MnistDenoise.Cli;

/// <summary>Where the command line reads a dataset when --data is not given: the one place that decides it.</summary>
internal static class DataFolders
{
    /// <summary>
    /// The repository's <c>data/mnist</c>, found by walking up from the program's folder and then from the current
    /// directory to a folder holding both <c>global.json</c> and <c>data/mnist</c>; <c>./MNIST_data</c> (TensorFlow's
    /// habit) when there is none.
    /// </summary>
    public static string Mnist =>
        InRepository(AppContext.BaseDirectory)
        ?? InRepository(Directory.GetCurrentDirectory())
        ?? Path.Combine(Directory.GetCurrentDirectory(), "MNIST_data");

    /// <summary>The folder to read <paramref name="dataset"/> from: <see cref="Mnist"/>, or null for Fashion-MNIST's own default folder.</summary>
    public static string? Default(string dataset) => KnownDatasets.Canonical(dataset) == "mnist" ? Mnist : null;

    private static string? InRepository(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var data = Path.Combine(dir.FullName, "data", "mnist");
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(data))
                return data;
        }
        return null;
    }
}
