using MnistDenoise.Data;

namespace MnistDenoise.Tests.Data;

/// <summary>The committed MNIST files, read once for the class (one-hot labels, images as [N, 28, 28, 1]).</summary>
public sealed class CommittedMnistFixture
{
    public DataSets Data { get; } = Mnist.ReadDataSets(RepositoryData.MnistDirectory, oneHot: true, reshape: false, seed: 0);
}

public sealed class MnistTests(CommittedMnistFixture committed) : IClassFixture<CommittedMnistFixture>
{
    private DataSets Data => committed.Data;

    [Fact]
    public void CommittedDataSplitsInto55000Train5000Validation10000Test()
    {
        Assert.Equal(55_000, Data.Train.NumExamples);
        Assert.Equal(5_000, Data.Validation.NumExamples);
        Assert.Equal(10_000, Data.Test.NumExamples);
        Assert.Equal([55_000, 28, 28, 1], Data.Train.ImageShape);
        Assert.Equal([5_000, 28, 28, 1], Data.Validation.ImageShape);
        Assert.Equal([10_000, 28, 28, 1], Data.Test.ImageShape);
        Assert.Equal(10_000 * 784, Data.Test.Images.Length);
    }

    [Fact]
    public void ValidationIsTheFirst5000TrainingExamplesAsInTensorFlow()
    {
        byte[] fileLabels = IdxReader.ReadLabels(RepositoryData.MnistFile("train-labels-idx1-ubyte.gz"));

        Assert.Equal(new byte[] { 5, 0, 4, 1, 9, 2, 1, 3, 1, 4 }, Data.Validation.Labels[..10]);
        Assert.Equal(fileLabels[..5000], Data.Validation.Labels);
        Assert.Equal(fileLabels[5000..], Data.Train.Labels);
    }

    [Fact]
    public void TestSetStartsWithTheKnownLabels()
    {
        Assert.Equal(new byte[] { 7, 2, 1, 0, 4, 1, 4, 9, 5, 9 }, Data.Test.Labels[..10]);
    }

    [Fact]
    public void TestMeanPixelIsMnists()
    {
        Assert.Equal(0.13251, Data.Test.Images.Average(p => (double)p), 1e-4);
    }

    [Fact]
    public void PixelsLieInZeroOne()
    {
        foreach (DataSet split in new[] { Data.Train, Data.Validation, Data.Test })
        {
            Assert.InRange(split.Images.Min(), 0f, 0f);
            Assert.InRange(split.Images.Max(), 1f, 1f);
        }
    }

    [Fact]
    public void OneHotRowsSumToOneWithTheOneAtTheLabel()
    {
        float[] oneHot = Data.Test.LabelsOneHot();

        for (int i = 0; i < Data.Test.NumExamples; i++)
        {
            ReadOnlySpan<float> row = oneHot.AsSpan(i * 10, 10);
            Assert.Equal(1f, row.ToArray().Sum());
            Assert.Equal(1f, row[Data.Test.Labels[i]]);
        }

        Assert.True(Data.Train.OneHot);
    }

    [Fact]
    public void DefaultDataDirectoryIsTheRepositorysDataFolder()
    {
        // The library has no default folder: the command line resolves it (from its own folder, which is the tests' here).
        Assert.Equal(Path.GetFullPath(RepositoryData.MnistDirectory), Path.GetFullPath(MnistDenoise.Cli.DataFolders.Mnist));
    }
}

public sealed class MnistReadDataSetsTests : IDisposable
{
    private readonly TestPaths.TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ValidationTakesTheFirstTrainingExamplesAndTrainTheRest(bool gzip)
    {
        DatasetSpec spec = IdxFiles.WriteTiny(_temp.Path, gzip, trainCount: 12, testCount: 4);

        DataSets data = Mnist.ReadDataSets(_temp.Path, validationSize: 3, spec: spec);

        Assert.Equal([0f, 1 / 255f, 2 / 255f], Enumerable.Range(0, 3).Select(i => data.Validation.Image(i)[0]));
        Assert.Equal(Enumerable.Range(3, 9).Select(i => i / 255f), Enumerable.Range(0, 9).Select(i => data.Train.Image(i)[0]));
        Assert.Equal([0, 1, 2], data.Validation.Labels);
        Assert.Equal([200 / 255f, 201 / 255f, 202 / 255f, 203 / 255f], Enumerable.Range(0, 4).Select(i => data.Test.Image(i)[0]));
        Assert.Equal([9, 8, 7, 6], data.Test.Labels);
        Assert.Equal([9, 6], data.Train.ImageShape);
    }

    [Theory]
    [InlineData(0, 12)]
    [InlineData(12, 0)]
    public void ValidationSizeMayRangeFromZeroToAllTrainingExamples(int validationSize, int trainCount)
    {
        DatasetSpec spec = IdxFiles.WriteTiny(_temp.Path, gzip: true);

        DataSets data = Mnist.ReadDataSets(_temp.Path, validationSize: validationSize, spec: spec);

        Assert.Equal(trainCount, data.Train.NumExamples);
        Assert.Equal(validationSize, data.Validation.NumExamples);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(13)]
    public void ValidationSizeOutsideZeroToTrainCountIsRejected(int validationSize)
    {
        DatasetSpec spec = IdxFiles.WriteTiny(_temp.Path, gzip: true);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Mnist.ReadDataSets(_temp.Path, validationSize: validationSize, spec: spec));

        Assert.Equal("validationSize", error.ParamName);
    }

    [Fact]
    public void SameSeedGivesTheSameTrainingBatches()
    {
        DatasetSpec spec = IdxFiles.WriteTiny(_temp.Path, gzip: true, trainCount: 40);

        Batch a = Mnist.ReadDataSets(_temp.Path, validationSize: 5, seed: 7, spec: spec).Train.NextBatch(20);
        Batch b = Mnist.ReadDataSets(_temp.Path, validationSize: 5, seed: 7, spec: spec).Train.NextBatch(20);

        Assert.Equal(a.Images, b.Images);
    }

    [Fact]
    public void ImageAndLabelCountsMustAgree()
    {
        DatasetSpec spec = IdxFiles.WriteTiny(_temp.Path, gzip: false);
        byte[] labels = IdxFiles.Labels(new byte[11]);
        File.WriteAllBytes(_temp.File("train-labels-idx1-ubyte"), labels);
        spec = spec with { TrainLabels = spec.TrainLabels with { Sha256 = IdxFiles.Sha256(labels) } };

        var error = Assert.Throws<InvalidDataFileException>(() => Mnist.ReadDataSets(_temp.Path, validationSize: 0, spec: spec));

        Assert.Contains("holds 11 labels but", error.Message);
        Assert.Contains("holds 12 images", error.Message);
    }

    [Fact]
    public void DamagedFileIsReportedWithAdviceToDeleteIt()
    {
        DatasetSpec spec = IdxFiles.WriteTiny(_temp.Path, gzip: false);
        string testLabels = _temp.File("t10k-labels-idx1-ubyte");
        byte[] content = File.ReadAllBytes(testLabels);
        content[^1] ^= 1;
        File.WriteAllBytes(testLabels, content);

        var error = Assert.Throws<InvalidDataFileException>(() => Mnist.ReadDataSets(_temp.Path, spec: spec, validationSize: 0));

        Assert.Equal(testLabels, error.FilePath);
        Assert.Contains("Delete it so that it is downloaded again", error.Message);
    }

    [Fact]
    public void MissingFilesAreDownloadedFromTheMirrorsGiven()
    {
        (DatasetSpec spec, Dictionary<string, byte[]> raw) = IdxFiles.Tiny();
        using var server = new LocalHttpServer();
        foreach ((string name, byte[] content) in raw)
        {
            server.Serve($"/tiny/{name}.gz", IdxFiles.Gzip(content));
        }

        File.WriteAllBytes(_temp.File("t10k-images-idx3-ubyte"), raw["t10k-images-idx3-ubyte"]); // Already there, raw.
        string folder = Path.Combine(_temp.Path, "new-folder");
        Directory.CreateDirectory(folder);
        File.Copy(_temp.File("t10k-images-idx3-ubyte"), Path.Combine(folder, "t10k-images-idx3-ubyte"));

        DataSets data = Mnist.ReadDataSets(folder, validationSize: 2, spec: spec, mirrors: [server.Url("tiny")]);

        Assert.Equal(10, data.Train.NumExamples);
        Assert.DoesNotContain("/tiny/t10k-images-idx3-ubyte.gz", server.Requests);
        Assert.Equal(
            ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"],
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void MissingFilesWithNoMirrorSayWhereToPlaceThem()
    {
        (DatasetSpec spec, _) = IdxFiles.Tiny();

        var error = Assert.Throws<DownloadFailedException>(() => Mnist.ReadDataSets(_temp.Path, spec: spec));

        Assert.Contains("No mirror was given", error.Message);
        Assert.Contains(_temp.Path, error.Message);
    }
}
