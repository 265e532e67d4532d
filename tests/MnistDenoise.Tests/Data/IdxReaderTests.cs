using MnistDenoise.Data;

namespace MnistDenoise.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TestPaths.TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] RawTestLabels() =>
        IdxFiles.Gunzip(File.ReadAllBytes(RepositoryData.MnistFile("t10k-labels-idx1-ubyte.gz")));

    [Fact]
    public void RawAndGzipFilesGiveTheSameData()
    {
        string gz = RepositoryData.MnistFile("t10k-images-idx3-ubyte.gz");
        string raw = _temp.File("t10k-images-idx3-ubyte");
        File.WriteAllBytes(raw, IdxFiles.Gunzip(File.ReadAllBytes(gz)));

        IdxImages fromGzip = IdxReader.ReadImages(gz, DatasetSpec.Mnist.TestImages.Sha256);
        IdxImages fromRaw = IdxReader.ReadImages(raw, DatasetSpec.Mnist.TestImages.Sha256);

        Assert.Equal((10_000, 28, 28), (fromGzip.Count, fromGzip.Rows, fromGzip.Columns));
        Assert.Equal((fromGzip.Count, fromGzip.Rows, fromGzip.Columns), (fromRaw.Count, fromRaw.Rows, fromRaw.Columns));
        Assert.True(fromGzip.Pixels.AsSpan().SequenceEqual(fromRaw.Pixels));
        Assert.Equal(IdxReader.ComputeSha256(gz), IdxReader.ComputeSha256(raw));
    }

    [Fact]
    public void CompressionIsRecognisedByContentNotByName()
    {
        byte[] raw = RawTestLabels();
        string rawNamedGz = _temp.File("labels.gz");
        string gzipNamedRaw = _temp.File("labels");
        File.WriteAllBytes(rawNamedGz, raw);
        File.WriteAllBytes(gzipNamedRaw, IdxFiles.Gzip(raw));

        Assert.False(IdxFiles.IsGzip(rawNamedGz));
        Assert.True(IdxFiles.IsGzip(gzipNamedRaw));
        Assert.Equal(raw[8..], IdxReader.ReadLabels(rawNamedGz));
        Assert.Equal(raw[8..], IdxReader.ReadLabels(gzipNamedRaw));
    }

    [Fact]
    public void LabelsAreReadAfterTheirHeader()
    {
        byte[] labels = IdxReader.ReadLabels(
            RepositoryData.MnistFile("t10k-labels-idx1-ubyte.gz"), DatasetSpec.Mnist.TestLabels.Sha256);

        Assert.Equal(10_000, labels.Length);
        Assert.Equal(new byte[] { 7, 2, 1, 0, 4, 1, 4, 9, 5, 9 }, labels[..10]);
    }

    [Fact]
    public void TruncatedFileIsRejectedNamingTheFileAndBothSizes()
    {
        string path = _temp.File("t10k-labels-idx1-ubyte");
        File.WriteAllBytes(path, RawTestLabels()[..5000]);

        var error = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadLabels(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(path, error.Message);
        Assert.Contains("truncated: expected 10008 bytes, got 5000", error.Message);
        Assert.Contains("Delete it so that it is downloaded again", error.Message);
    }

    [Fact]
    public void TruncatedGzipFileIsRejectedNamingTheFileAndSizes()
    {
        string path = _temp.File("t10k-labels-idx1-ubyte.gz");
        byte[] gz = File.ReadAllBytes(RepositoryData.MnistFile("t10k-labels-idx1-ubyte.gz"));
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);

        var error = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated: expected 10008 bytes, got ", error.Message);
        Assert.Contains("after gzip decompression", error.Message);
    }

    [Fact]
    public void EmptyFileIsReportedAsTruncated()
    {
        string path = _temp.File("empty");
        File.WriteAllBytes(path, []);

        var error = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(path));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void WrongMagicNumberIsRejected()
    {
        string labels = RepositoryData.MnistFile("t10k-labels-idx1-ubyte.gz");

        var error = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadImages(labels));

        Assert.Contains(labels, error.Message);
        Assert.Contains("wrong magic number: expected 0x00000803 (IDX images), found 0x00000801", error.Message);
    }

    [Fact]
    public void FileLongerThanItsHeaderSaysIsRejected()
    {
        string path = _temp.File("labels");
        File.WriteAllBytes(path, [.. RawTestLabels(), 0]);

        var error = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadLabels(path));

        Assert.Contains("too long: its header announces 10008 bytes, got 10009", error.Message);
    }

    [Fact]
    public void ChecksumMismatchIsRejectedWithBothHashes()
    {
        byte[] raw = RawTestLabels();
        raw[^1] ^= 1; // Still a valid label file, but not the published one.
        string path = _temp.File("t10k-labels-idx1-ubyte.gz");
        File.WriteAllBytes(path, IdxFiles.Gzip(raw));
        string expected = DatasetSpec.Mnist.TestLabels.Sha256;

        var error = Assert.Throws<InvalidDataFileException>(() => IdxReader.ReadLabels(path, expected));

        Assert.Contains(path, error.Message);
        Assert.Contains($"SHA-256 of the decompressed content is {IdxFiles.Sha256(raw)}, expected {expected}", error.Message);
        Assert.Contains("Delete it so that it is downloaded again", error.Message);
    }

    [Fact]
    public void ChecksumIsComparedIgnoringCase()
    {
        string path = RepositoryData.MnistFile("t10k-labels-idx1-ubyte.gz");

        byte[] labels = IdxReader.ReadLabels(path, DatasetSpec.Mnist.TestLabels.Sha256.ToUpperInvariant());

        Assert.Equal(10_000, labels.Length);
    }
}
