using System.Diagnostics;
using System.Text;

namespace MnistDenoise.Cli;

/// <summary>
/// An output folder claimed for one run, before any work starts: created, proven writable (a probe file is written
/// and deleted), locked against a second run of this program, and cleared of temporaries that killed runs left.
/// </summary>
/// <remarks>
/// The lock is an OS-level lock on one byte of <c>.mnist-denoise.lock</c> (fcntl on Linux and macOS, LockFileEx on
/// Windows), which the operating system drops when the process ends however it ends, so a lock left by a killed run
/// is simply taken over. The file's text is the owner's process id, for the message a refused run prints. The file
/// itself stays (deleting a lock file races with a run that has just opened it).
/// </remarks>
internal sealed class OutputFolder : IDisposable
{
    /// <summary>The lock file's name inside the folder.</summary>
    public const string LockFileName = ".mnist-denoise.lock";

    // The locked byte lies past the process id's text, so that readers of the text are never blocked (Windows locks
    // are mandatory for the range they cover).
    private const long LockOffset = 1 << 20;

    private readonly FileStream? _lock;

    private OutputFolder(string path, FileStream? held) => (Path, _lock) = (path, held);

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>
    /// Claims <paramref name="directory"/> for this process. Throws <see cref="CommandLineApp.UsageException"/> (exit 2)
    /// when it cannot be created or written, or another run holds it; <paramref name="option"/> names it in messages.
    /// </summary>
    public static OutputFolder Claim(string directory, string option = "--output")
    {
        var full = System.IO.Path.GetFullPath(directory);
        EnsureWritable(full, option);
        var held = Lock(full, option);
        try
        {
            foreach (var name in AtomicFile.DeleteStaleTemporaries(full))
                Console.Error.WriteLine($"Removed '{name}' from '{full}' (left by a run that was killed while saving).");
            return new OutputFolder(full, held);
        }
        catch
        {
            held?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and writes and deletes a probe file in it, so that a folder the
    /// user cannot write (read-only, a system folder, a full disk) is found before training, not after.
    /// </summary>
    public static void EnsureWritable(string directory, string option)
    {
        var probe = System.IO.Path.Combine(directory, $".mnist-denoise-probe-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(new byte[4096]); // a full disk fails here, not only at the end of training
                stream.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandLineApp.UsageException(
                $"{option}: cannot write to '{directory}' ({e.Message.TrimEnd('.')}). Pass a folder you can write to, on a disk with free space.");
        }
        finally
        {
            try { File.Delete(probe); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static FileStream? Lock(string directory, string option)
    {
        var path = System.IO.Path.Combine(directory, LockFileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandLineApp.UsageException($"{option}: cannot create the lock file '{path}' ({e.Message.TrimEnd('.')}).");
        }
        // .NET has no byte-range locks on macOS: there the folder is used unlocked (a second run is not refused).
        if (OperatingSystem.IsMacOS())
        {
            stream.Dispose();
            return null;
        }
        try
        {
            stream.Lock(LockOffset, 1);
        }
        catch (IOException)
        {
            var owner = ReadOwner(stream);
            stream.Dispose();
            throw new CommandLineApp.UsageException(
                $"{option}: '{directory}' is in use by another mnist-denoise run ({owner}). Two runs in one folder would mix their " +
                "checkpoint, picture and metrics: wait for that run to finish, or pass another --output.");
        }
        stream.SetLength(0);
        stream.Write(Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n{Environment.CommandLine}\n"));
        stream.Flush();
        return stream;
    }

    private static string ReadOwner(FileStream stream)
    {
        try
        {
            stream.Position = 0;
            var buffer = new byte[4096];
            var text = Encoding.UTF8.GetString(buffer, 0, stream.Read(buffer));
            var firstLine = text.Split('\n')[0].Trim();
            return int.TryParse(firstLine, out var pid) ? $"process {pid}" + (Running(pid) is { } name ? $", {name}" : "") : "its process id is not recorded yet";
        }
        catch (IOException)
        {
            return "its process id could not be read";
        }

        static string? Running(int pid)
        {
            try { using var p = Process.GetProcessById(pid); return p.ProcessName; }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return null; }
        }
    }

    /// <summary>Releases the lock (the operating system would at exit anyway).</summary>
    public void Dispose()
    {
        if (_lock is null) return;
        if (!OperatingSystem.IsMacOS())
        {
            try { _lock.Unlock(LockOffset, 1); } catch (IOException) { }
        }
        _lock.Dispose();
    }
}
