using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace MnistDenoise.Data;

/// <summary>
/// Reads IDX files (the MNIST file format), gzip-compressed or raw; compression is recognised by the
/// gzip magic bytes, not by the file name. Checksums are SHA-256 of the decompressed content.
/// </summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images (3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned-byte labels (1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    private const int ImagesHeaderSize = 16;
    private const int LabelsHeaderSize = 8;

    /// <summary>Reads an image file, checking its SHA-256 when <paramref name="expectedSha256"/> is given.</summary>
    /// <exception cref="InvalidDataFileException">The file is not an IDX image file, is truncated, or has another checksum.</exception>
    public static IdxImages ReadImages(string path, string? expectedSha256 = null)
    {
        (byte[] content, bool gzip) = Read(path);
        CheckMagic(path, content, ImagesMagic, "IDX images");
        int count = ReadDimension(path, content, 4);
        int rows = ReadDimension(path, content, 8);
        int columns = ReadDimension(path, content, 12);
        CheckLength(path, content, gzip, ImagesHeaderSize + (long)count * rows * columns);
        CheckSha256(path, content, expectedSha256);
        return new IdxImages(count, rows, columns, content[ImagesHeaderSize..]);
    }

    /// <summary>Reads a label file (one byte per example), checking its SHA-256 when <paramref name="expectedSha256"/> is given.</summary>
    /// <exception cref="InvalidDataFileException">The file is not an IDX label file, is truncated, or has another checksum.</exception>
    public static byte[] ReadLabels(string path, string? expectedSha256 = null)
    {
        (byte[] content, bool gzip) = Read(path);
        CheckMagic(path, content, LabelsMagic, "IDX labels");
        int count = ReadDimension(path, content, 4);
        CheckLength(path, content, gzip, LabelsHeaderSize + (long)count);
        CheckSha256(path, content, expectedSha256);
        return content[LabelsHeaderSize..];
    }

    /// <summary>The content of a file, decompressed if it starts with the gzip magic bytes.</summary>
    /// <exception cref="InvalidDataFileException">The file looks like gzip but cannot be decompressed.</exception>
    public static byte[] ReadContent(string path) => Read(path).Content;

    /// <summary>Lower-case hex SHA-256 of the file's decompressed content (see <see cref="ReadContent"/>).</summary>
    public static string ComputeSha256(string path) => Sha256Hex(ReadContent(path));

    /// <summary>Whether the file starts with the gzip magic bytes 1F 8B.</summary>
    public static bool IsGzip(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        return file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    private static string Sha256Hex(ReadOnlySpan<byte> content) =>
        Convert.ToHexStringLower(SHA256.HashData(content));

    private static (byte[] Content, bool Gzip) Read(string path)
    {
        if (!IsGzip(path))
        {
            return (File.ReadAllBytes(path), false);
        }

        try
        {
            using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var content = new MemoryStream();
            gzip.CopyTo(content);
            return (content.ToArray(), true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataFileException(path, $"is not a valid gzip file ({e.Message})", e);
        }
    }

    private static void CheckMagic(string path, byte[] content, int expected, string kind)
    {
        if (content.Length < 4)
        {
            throw new InvalidDataFileException(path, $"is truncated: expected at least 4 bytes, got {content.Length}");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(content);
        if (magic != expected)
        {
            throw new InvalidDataFileException(
                path, $"has the wrong magic number: expected 0x{expected:X8} ({kind}), found 0x{magic:X8}");
        }
    }

    private static int ReadDimension(string path, byte[] content, int offset)
    {
        if (content.Length < offset + 4)
        {
            throw new InvalidDataFileException(
                path, $"is truncated: expected at least {offset + 4} bytes of header, got {content.Length}");
        }

        int size = BinaryPrimitives.ReadInt32BigEndian(content.AsSpan(offset));
        return size >= 0
            ? size
            : throw new InvalidDataFileException(path, $"has an invalid header: dimension {size} at byte {offset}");
    }

    private static void CheckLength(string path, byte[] content, bool gzip, long expected)
    {
        if (content.Length < expected)
        {
            string where = gzip ? " after gzip decompression (the compressed file is probably cut short)" : "";
            throw new InvalidDataFileException(path, $"is truncated: expected {expected} bytes, got {content.Length}{where}");
        }

        if (content.Length > expected)
        {
            throw new InvalidDataFileException(
                path, $"is too long: its header announces {expected} bytes, got {content.Length}");
        }
    }

    private static void CheckSha256(string path, byte[] content, string? expected)
    {
        if (expected is null)
        {
            return;
        }

        string actual = Sha256Hex(content);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataFileException(
                path, $"failed its checksum: SHA-256 of the decompressed content is {actual}, expected {expected}");
        }
    }
}
