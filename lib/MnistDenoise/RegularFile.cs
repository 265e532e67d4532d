using System.Runtime.InteropServices;

namespace MnistDenoise;

/// <summary>
/// Reading a file the user named, safely: anything that is not a regular file (a device such as <c>/dev/zero</c>, a
/// FIFO that blocks forever, a socket, a folder) is refused before it is opened, and no more than a cap is ever read,
/// whatever length the file system reports (devices report 0).
/// </summary>
public static partial class RegularFile
{
    /// <summary>
    /// Null when <paramref name="path"/> is an existing regular file (or a link to one); otherwise what it is instead,
    /// as a phrase for a message ("does not exist", "is a character device (not a regular file)", ...).
    /// </summary>
    public static string? Problem(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) return "is a folder, not a file";
        if (!File.Exists(path)) return "does not exist";
        return Kind(path) is { } kind ? $"is {kind} (not a regular file)" : null;
    }

    /// <summary>
    /// Reads all of <paramref name="path"/>, refusing a file that is not a regular one (see <see cref="Problem"/>)
    /// or that turns out longer than <paramref name="maxBytes"/> while being read.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">It is not a regular file, or it is longer than <paramref name="maxBytes"/>.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        if (Problem(path) is { } problem)
        {
            if (problem == "does not exist") throw new FileNotFoundException($"'{path}' does not exist.", path);
            throw new InvalidDataException($"'{path}' {problem}");
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        // The reported length is only a hint: read at most maxBytes + 1 and refuse the file if the extra byte arrives.
        var hint = stream.CanSeek ? Math.Min(stream.Length, maxBytes) : 0;
        using var buffer = new MemoryStream((int)Math.Min(hint, int.MaxValue));
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
                throw new InvalidDataException($"'{path}' is longer than {maxBytes} bytes, more than such a file can be");
        }
        return buffer.ToArray();
    }

    // The file type from statx (Linux; its struct is the same on every architecture), or null for a regular file or
    // when the type cannot be asked for (other systems: the read cap still applies there).
    private static string? Kind(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = new byte[256]; // struct statx
        int result;
        try { result = Statx(AtFdCwd, path, 0, StatxType, buffer); }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException) { return null; }
        if (result != 0) return null;
        var mode = BitConverter.ToUInt16(buffer, 28) & 0xF000; // stx_mode's S_IFMT bits
        return mode switch
        {
            0x8000 => null,
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x1000 => "a FIFO (named pipe)",
            0xC000 => "a socket",
            0x4000 => "a folder",
            _ => "a special file",
        };
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, [Out] byte[] buffer);
}
