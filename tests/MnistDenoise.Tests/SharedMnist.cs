using MnistDenoise.Data;

namespace MnistDenoise.Tests;

/// <summary>The committed MNIST data, read once per test run (decompressing and hashing it takes a second or two).</summary>
internal static class SharedMnist
{
    private static readonly Lazy<DataSets> Sets = new(() =>
        Mnist.ReadDataSets(Path.Combine(TestPaths.RepositoryRoot, "data", "mnist"), reshape: false, seed: 0));

    public static DataSet Train => Sets.Value.Train;
    public static DataSet Test => Sets.Value.Test;
}
