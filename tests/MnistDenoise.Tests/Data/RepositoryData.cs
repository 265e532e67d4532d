namespace MnistDenoise.Tests.Data;

/// <summary>The MNIST files committed in the repository's <c>data/mnist</c>.</summary>
internal static class RepositoryData
{
    public static string MnistDirectory { get; } = Path.Combine(TestPaths.RepositoryRoot, "data", "mnist");

    public static string MnistFile(string name) => Path.Combine(MnistDirectory, name);
}
