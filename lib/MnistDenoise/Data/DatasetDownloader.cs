namespace MnistDenoise.Data;

/// <summary>
/// Downloads dataset files from a list of mirrors, trying each in order. A file is streamed to a temporary
/// file in the target folder, its size capped, its checksum verified, and only then renamed to its final name,
/// so nothing half-written or unverified is ever left under a name a later run would trust. Only HTTPS mirrors
/// are used unless <see cref="AllowHttp"/> is set (the caller named a plain-HTTP mirror on purpose).
/// </summary>
public sealed class DatasetDownloader
{
    private static readonly HttpClient SharedClient = new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    private readonly HttpClient _http;

    /// <summary>Creates a downloader that uses <paramref name="httpClient"/> (not disposed), or a shared client.</summary>
    public DatasetDownloader(HttpClient? httpClient = null)
    {
        _http = httpClient ?? SharedClient;
    }

    /// <summary>Longest time one attempt (one file from one mirror, body included) may take. Default: 5 minutes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The most bytes one download may have (default 128 MiB; MNIST's largest file is 9.9 MB compressed).</summary>
    public long MaxBytes { get; init; } = 128L << 20;

    /// <summary>Whether plain-HTTP mirrors may be used (default: no, only HTTPS). Checksums are verified either way.</summary>
    public bool AllowHttp { get; init; }

    /// <summary>Temporary files of an earlier, interrupted download untouched for this long are deleted (default 10 minutes).</summary>
    public TimeSpan StaleTemporaryAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Downloads each of <paramref name="files"/> that is not yet in <paramref name="directory"/>
    /// (neither compressed nor raw, see <see cref="DatasetFile.Locate"/>). Files already there are not checked.
    /// </summary>
    /// <returns>The paths of the files downloaded.</returns>
    /// <exception cref="DownloadFailedException">A file could not be had from any mirror.</exception>
    public async Task<IReadOnlyList<string>> DownloadMissingAsync(
        string directory,
        IEnumerable<DatasetFile> files,
        IReadOnlyList<Uri> mirrors,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var downloaded = new List<string>();
        foreach (DatasetFile file in files)
        {
            if (file.Locate(directory) is null)
            {
                downloaded.Add(await DownloadAsync(directory, file, mirrors, progress, cancellationToken).ConfigureAwait(false));
            }
        }

        return downloaded;
    }

    /// <summary>
    /// Downloads <paramref name="file"/> into <paramref name="directory"/> (created if needed) as
    /// <see cref="DatasetFile.GzipName"/>, trying each mirror in order until one delivers the expected content.
    /// </summary>
    /// <returns>The path of the downloaded file.</returns>
    /// <exception cref="DownloadFailedException">No mirror delivered the file; the message says why for each.</exception>
    public async Task<string> DownloadAsync(
        string directory,
        DatasetFile file,
        IReadOnlyList<Uri> mirrors,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        DeleteStaleTemporaries(directory, file);
        string target = Path.Combine(directory, file.GzipName);
        var failures = new List<MirrorFailure>();
        foreach (Uri mirror in mirrors)
        {
            Uri url = FileUrl(mirror, file.GzipName);
            if (url.Scheme != Uri.UriSchemeHttps && !(AllowHttp && url.Scheme == Uri.UriSchemeHttp))
            {
                failures.Add(new(url, url.Scheme == Uri.UriSchemeHttp
                    ? "plain HTTP is not used unless you name the mirror yourself (the mirrors argument); the checksum is verified either way"
                    : $"only https:// mirrors (or http:// ones you name) are supported, not {url.Scheme}://"));
                continue;
            }

            string temp = Path.Combine(directory, $"{file.GzipName}.tmp-{Path.GetRandomFileName()}");
            try
            {
                await DownloadToAsync(url, temp, file.GzipName, progress, cancellationToken).ConfigureAwait(false);
                string actual = IdxReader.ComputeSha256(temp, IdxReader.DefaultMaxContentBytes);
                if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add(new(url, $"checksum mismatch: SHA-256 of the decompressed content is {actual}, expected {file.Sha256}"));
                    continue;
                }

                File.Move(temp, target, overwrite: true); // An atomic rename: same folder.
                return target;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                failures.Add(new(url, $"timed out after {Timeout.TotalSeconds:0.#} s"));
            }
            catch (InvalidDataFileException e)
            {
                failures.Add(new(url, e.Problem));
            }
            catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException)
            {
                failures.Add(new(url, e.Message));
            }
            finally
            {
                File.Delete(temp); // No-op when it was moved or never created.
            }
        }

        throw new DownloadFailedException(file.GzipName, directory, failures);
    }

    private async Task DownloadToAsync(
        Uri url, string path, string fileName, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using HttpResponseMessage response = await _http
            .GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
            .ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }

        long? total = response.Content.Headers.ContentLength;
        if (total > MaxBytes)
        {
            throw new IOException($"the server announces {total} bytes, more than the {MaxBytes}-byte limit");
        }

        await using Stream body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var buffer = new byte[1 << 16];
        long received = 0;
        progress?.Report(new DownloadProgress(fileName, url, received, total));
        int read;
        while ((read = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), timeout.Token).ConfigureAwait(false);
            received += read;
            if (received > MaxBytes)
            {
                throw new IOException($"the server sent more than the {MaxBytes}-byte limit");
            }

            progress?.Report(new DownloadProgress(fileName, url, received, total));
        }
    }

    // A process killed mid-download leaves its temporary file; no later run trusts it (only exact names are
    // looked for), and this removes it once nobody has written to it for a while (a parallel download is left alone).
    private void DeleteStaleTemporaries(string directory, DatasetFile file)
    {
        foreach (string temp in Directory.EnumerateFiles(directory, $"{file.GzipName}.tmp-*"))
        {
            try
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(temp) > StaleTemporaryAge)
                {
                    File.Delete(temp);
                }
            }
            catch (IOException)
            {
                // Another process may be removing it too.
            }
        }
    }

    private static Uri FileUrl(Uri mirror, string fileName) =>
        new(mirror.AbsoluteUri.EndsWith('/') ? mirror : new Uri(mirror.AbsoluteUri + "/"), fileName);
}
