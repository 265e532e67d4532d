using MnistDenoise.Data;

namespace MnistDenoise.Tests.Data;

public class KnownDatasetsTests
{
    [Theory]
    [InlineData("mnist", "MNIST")]
    [InlineData("fashion", "Fashion-MNIST")]
    [InlineData("Fashion-MNIST", "Fashion-MNIST")]
    public void Names_map_to_their_specs(string name, string expected) => Assert.Equal(expected, KnownDatasets.Spec(name).Name);

    [Fact]
    public void An_unknown_name_lists_the_known_ones() =>
        Assert.Contains("mnist or fashion-mnist", Assert.Throws<ArgumentException>(() => KnownDatasets.Spec("cifar")).Message);

    [Fact]
    public void Fashion_mnist_missing_from_its_default_folder_names_the_debian_package_and_downloads_nothing()
    {
        using var empty = new TestPaths.TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => KnownDatasets.Read("fashion", null, null, null, empty.Path));
        Assert.Contains("dataset-fashion-mnist", e.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(empty.Path));
    }

    [Fact]
    public void Fashion_mnist_is_read_from_the_debian_package_which_ci_installs()
    {
        Assert.True(Directory.Exists(KnownDatasets.DebianFashionMnistDirectory),
            "Fashion-MNIST is missing: install the Debian package dataset-fashion-mnist (.ci/setup-datasets.sh does).");
        var sets = KnownDatasets.Read("fashion-mnist", seed: 0);
        Assert.Equal((55_000, 10_000), (sets.Train.NumExamples, sets.Test.NumExamples));
        Assert.NotEqual(SharedMnist.Test.Images[..784], sets.Test.Images[..784]);
    }
}
