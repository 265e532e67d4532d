namespace MnistDenoise;

/// <summary>Writes files so that a reader sees either the old file or the complete new one, never a half-written one.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Calls <paramref name="write"/> on a temporary file beside <paramref name="path"/>, then renames it over
    /// <paramref name="path"/>. If <paramref name="write"/> throws, the temporary file is deleted and any old file is kept.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="flushToDisk">
    /// Wait until the content is on disk before the rename (fsync), so that a power cut cannot leave an empty file under
    /// the final name. False for many small files that can be made again (denoised pictures): fsync costs milliseconds
    /// each; the rename still makes a reader see the old file or the complete new one.
    /// </param>
    public static void Write(string path, Action<Stream> write, bool flushToDisk = true)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Deletes the temporary files that <see cref="Write"/> leaves behind when its process is killed mid-write
    /// (<c>.name.&lt;32 hex digits&gt;.tmp</c>, this class's own pattern and nothing else) in <paramref name="directory"/>,
    /// once untouched for <paramref name="olderThan"/> (default 10 minutes, so that a write in progress is left alone).
    /// </summary>
    /// <returns>The names of the files deleted.</returns>
    public static IReadOnlyList<string> DeleteStaleTemporaries(string directory, TimeSpan? olderThan = null)
    {
        var age = olderThan ?? TimeSpan.FromMinutes(10);
        var deleted = new List<string>();
        if (!Directory.Exists(directory)) return deleted;
        foreach (var temp in Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            var name = Path.GetFileName(temp);
            if (!IsOwnTemporary(name)) continue;
            try
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(temp) < age) continue;
                File.Delete(temp);
                deleted.Add(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process may be removing it too, or it is not ours to delete.
            }
        }
        return deleted;
    }

    // ".<name>.<Guid N format>.tmp", exactly as Write names them.
    private static bool IsOwnTemporary(string name)
    {
        if (name.Length < 1 + 1 + 1 + 32 + 4 || name[0] != '.' || !name.EndsWith(".tmp", StringComparison.Ordinal)) return false;
        var guid = name.AsSpan(name.Length - 4 - 32, 32);
        return name[name.Length - 4 - 32 - 1] == '.' && Guid.TryParseExact(guid, "N", out _);
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically (see <see cref="Write"/> for <paramref name="flushToDisk"/>).</summary>
    public static void WriteAllBytes(string path, byte[] bytes, bool flushToDisk = true) => Write(path, s => s.Write(bytes), flushToDisk);

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
