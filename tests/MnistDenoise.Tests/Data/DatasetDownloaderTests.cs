using System.Net;
using MnistDenoise.Data;

namespace MnistDenoise.Tests.Data;

public sealed class DatasetDownloaderTests : IDisposable
{
    private static readonly DatasetFile[] LabelFiles = [DatasetSpec.Mnist.TrainLabels, DatasetSpec.Mnist.TestLabels];

    private readonly LocalHttpServer _server = new();
    private readonly TestPaths.TempDirectory _target = new();

    public DatasetDownloaderTests()
    {
        foreach (DatasetFile file in LabelFiles)
        {
            _server.Serve($"/mnist/{file.GzipName}", File.ReadAllBytes(RepositoryData.MnistFile(file.GzipName)));
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _target.Dispose();
    }

    private static DatasetDownloader Downloader(double timeoutSeconds = 10) => new() { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };

    [Fact]
    public async Task DownloadsMissingGzippedFilesAndVerifiesThem()
    {
        var reports = new List<DownloadProgress>();

        IReadOnlyList<string> saved = await Downloader().DownloadMissingAsync(
            _target.Path, LabelFiles, [_server.Url("mnist")], new SynchronousProgress<DownloadProgress>(reports.Add));

        Assert.Equal(["t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz"], _target.FileNames());
        Assert.Equal([_target.File("train-labels-idx1-ubyte.gz"), _target.File("t10k-labels-idx1-ubyte.gz")], saved);
        foreach (DatasetFile file in LabelFiles)
        {
            Assert.Equal(File.ReadAllBytes(RepositoryData.MnistFile(file.GzipName)), File.ReadAllBytes(_target.File(file.GzipName)));
        }

        DownloadProgress last = reports.Last(r => r.FileName == "t10k-labels-idx1-ubyte.gz");
        Assert.Equal(4517, last.BytesReceived);
        Assert.Equal(4517, last.TotalBytes);
        Assert.Equal(new Uri(_server.BaseUri, "/mnist/t10k-labels-idx1-ubyte.gz"), last.Source);
    }

    [Fact]
    public async Task FilesAlreadyPresentCompressedOrRawAreNotDownloaded()
    {
        File.WriteAllBytes(_target.File("train-labels-idx1-ubyte.gz"), []);
        File.WriteAllBytes(_target.File("t10k-labels-idx1-ubyte"), []);

        IReadOnlyList<string> saved = await Downloader().DownloadMissingAsync(_target.Path, LabelFiles, [_server.Url("mnist")]);

        Assert.Empty(saved);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task CorruptedBodyIsRejectedAndNothingIsLeftBehind()
    {
        byte[] raw = IdxFiles.Gunzip(File.ReadAllBytes(RepositoryData.MnistFile("t10k-labels-idx1-ubyte.gz")));
        raw[100] ^= 0xFF;
        _server.Serve("/corrupt/t10k-labels-idx1-ubyte.gz", IdxFiles.Gzip(raw));

        var error = await Assert.ThrowsAsync<DownloadFailedException>(() =>
            Downloader().DownloadAsync(_target.Path, DatasetSpec.Mnist.TestLabels, [_server.Url("corrupt")]));

        Assert.Empty(_target.FileNames());
        MirrorFailure failure = Assert.Single(error.Failures);
        Assert.Contains("checksum mismatch", failure.Reason);
        Assert.Contains(IdxFiles.Sha256(raw), error.Message);
        Assert.Contains(DatasetSpec.Mnist.TestLabels.Sha256, error.Message);
    }

    [Fact]
    public async Task DeadAndFailingMirrorsAreSkippedForTheNextOne()
    {
        _server.Fail("/broken/t10k-labels-idx1-ubyte.gz", HttpStatusCode.InternalServerError);
        Uri[] mirrors =
        [
            new($"http://127.0.0.1:{LocalHttpServer.UnusedPort()}/mnist/"),
            _server.Url("missing"),
            _server.Url("broken"),
            _server.Url("mnist"),
        ];

        string saved = await Downloader().DownloadAsync(_target.Path, DatasetSpec.Mnist.TestLabels, mirrors);

        Assert.Equal(_target.File("t10k-labels-idx1-ubyte.gz"), saved);
        Assert.Equal(["t10k-labels-idx1-ubyte.gz"], _target.FileNames());
        Assert.Equal(DatasetSpec.Mnist.TestLabels.Sha256, IdxReader.ComputeSha256(saved));
    }

    [Fact]
    public async Task WhenEveryMirrorFailsTheErrorListsEachAndSaysWhereToPutTheFile()
    {
        _server.Fail("/broken/t10k-labels-idx1-ubyte.gz", HttpStatusCode.InternalServerError);
        Uri dead = new($"http://127.0.0.1:{LocalHttpServer.UnusedPort()}/mnist");
        Uri[] mirrors = [dead, _server.Url("missing"), _server.Url("broken")];

        var error = await Assert.ThrowsAsync<DownloadFailedException>(() =>
            Downloader().DownloadAsync(_target.Path, DatasetSpec.Mnist.TestLabels, mirrors));

        Assert.Equal(3, error.Failures.Count);
        Assert.Equal(new Uri(dead + "/t10k-labels-idx1-ubyte.gz"), error.Failures[0].Url);
        Assert.Contains("HTTP 404", error.Failures[1].Reason);
        Assert.Contains("HTTP 500", error.Failures[2].Reason);
        Assert.All(error.Failures, f => Assert.Contains(f.Url.ToString(), error.Message));
        Assert.Contains($"place it (gzip-compressed or raw) in '{_target.Path}'", error.Message);
        Assert.Empty(_target.FileNames());
    }

    [Fact]
    public async Task StalledDownloadTimesOutAndLeavesNothingBehind()
    {
        _server.Stall("/slow/t10k-labels-idx1-ubyte.gz", length: 4517);

        var error = await Assert.ThrowsAsync<DownloadFailedException>(() =>
            Downloader(timeoutSeconds: 0.3).DownloadAsync(_target.Path, DatasetSpec.Mnist.TestLabels, [_server.Url("slow")]));

        Assert.Contains("timed out", Assert.Single(error.Failures).Reason);
        Assert.Empty(_target.FileNames());
    }

    [Fact]
    public async Task CancellationStopsTheDownloadAndLeavesNothingBehind()
    {
        _server.Stall("/slow/t10k-labels-idx1-ubyte.gz", length: 4517);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Downloader().DownloadAsync(
            _target.Path, DatasetSpec.Mnist.TestLabels, [_server.Url("slow")], cancellationToken: cancel.Token));

        Assert.Empty(_target.FileNames());
    }

    /// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> posts to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
