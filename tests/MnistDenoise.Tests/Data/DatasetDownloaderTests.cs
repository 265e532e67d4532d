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

    // The local server is plain HTTP: these tests name it on purpose, as a user would with --mirror.
    private static DatasetDownloader Downloader(double timeoutSeconds = 10) => new() { Timeout = TimeSpan.FromSeconds(timeoutSeconds), AllowHttp = true };

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

    [Fact]
    public async Task PlainHttpMirrorsAreRefusedUnlessNamedOnPurpose()
    {
        var error = await Assert.ThrowsAsync<DownloadFailedException>(() =>
            new DatasetDownloader().DownloadAsync(_target.Path, DatasetSpec.Mnist.TestLabels, [_server.Url("mnist"), new Uri("ftp://127.0.0.1/mnist/")]));

        Assert.Contains("plain HTTP is not used unless you name the mirror yourself", error.Failures[0].Reason);
        Assert.Contains("only https://", error.Failures[1].Reason);
        Assert.Empty(_server.Requests);
        Assert.Empty(_target.FileNames());
    }

    [Fact]
    public void TheBuiltInMirrorsAreHttps()
    {
        Assert.All(DatasetSpec.Mnist.Mirrors, m => Assert.Equal(Uri.UriSchemeHttps, m.Scheme));
    }

    [Fact]
    public void MirrorsNamedToTheLoaderMayBePlainHttp()
    {
        (DatasetSpec spec, Dictionary<string, byte[]> raw) = IdxFiles.Tiny();
        foreach ((string name, byte[] content) in raw)
        {
            _server.Serve($"/tiny/{name}.gz", IdxFiles.Gzip(content));
        }

        DataSets sets = Mnist.ReadDataSets(_target.Path, validationSize: 2, spec: spec, mirrors: [_server.Url("tiny")]);

        Assert.Equal(10, sets.Train.NumExamples);
        Assert.Equal(4, _target.FileNames().Length);
    }

    [Fact]
    public async Task AConnectionDroppedHalfWayLeavesNothingThatALaterRunWouldTrust()
    {
        byte[] body = File.ReadAllBytes(RepositoryData.MnistFile("t10k-labels-idx1-ubyte.gz"));
        _server.Drop("/flaky/t10k-labels-idx1-ubyte.gz", body, body.Length / 2);

        var error = await Assert.ThrowsAsync<DownloadFailedException>(() =>
            Downloader().DownloadAsync(_target.Path, DatasetSpec.Mnist.TestLabels, [_server.Url("flaky")]));

        Assert.Single(error.Failures);
        Assert.Empty(_target.FileNames());
        Assert.Null(DatasetSpec.Mnist.TestLabels.Locate(_target.Path)); // the next run downloads again
        string saved = await Downloader().DownloadAsync(_target.Path, DatasetSpec.Mnist.TestLabels, [_server.Url("flaky"), _server.Url("mnist")]);
        Assert.Equal(DatasetSpec.Mnist.TestLabels.Sha256, IdxReader.ComputeSha256(saved));
        Assert.Equal(["t10k-labels-idx1-ubyte.gz"], _target.FileNames());
    }

    [Fact]
    public async Task ABodyOverTheSizeCapIsRefusedWhetherAnnouncedOrNot()
    {
        byte[] body = File.ReadAllBytes(RepositoryData.MnistFile("t10k-labels-idx1-ubyte.gz"));
        _server.ServeChunked("/chunked/t10k-labels-idx1-ubyte.gz", body);
        var capped = new DatasetDownloader { AllowHttp = true, MaxBytes = 3000 };

        var error = await Assert.ThrowsAsync<DownloadFailedException>(() =>
            capped.DownloadAsync(_target.Path, DatasetSpec.Mnist.TestLabels, [_server.Url("mnist"), _server.Url("chunked")]));

        Assert.Contains("announces 4517 bytes, more than the 3000-byte limit", error.Failures[0].Reason);
        Assert.Contains("sent more than the 3000-byte limit", error.Failures[1].Reason);
        Assert.Empty(_target.FileNames());
    }

    [Fact]
    public async Task TemporaryFilesOfAnInterruptedEarlierRunAreCleanedUp()
    {
        string stale = _target.File("t10k-labels-idx1-ubyte.gz.tmp-killed");
        string recent = _target.File("t10k-labels-idx1-ubyte.gz.tmp-running");
        File.WriteAllBytes(stale, [0x1F, 0x8B]);
        File.WriteAllBytes(recent, [0x1F, 0x8B]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));

        await Downloader().DownloadAsync(_target.Path, DatasetSpec.Mnist.TestLabels, [_server.Url("mnist")]);

        Assert.Equal(["t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz.tmp-running"], _target.FileNames());
    }

    /// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> posts to the thread pool).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
