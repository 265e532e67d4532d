using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;

namespace MnistDenoise.Data;

/// <summary>
/// Reads IDX files (the MNIST file format), gzip-compressed or raw; compression is recognised by the
/// gzip magic bytes, not by the file name. Checksums are SHA-256 of the decompressed content.
/// </summary>
/// <remarks>
/// Files are untrusted input: the header is read and checked first, and memory is allocated only for bytes
/// that are actually there (a header that claims two billion images costs nothing), so a damaged,
/// truncated or hostile file ends in an <see cref="InvalidDataFileException"/> that names it, never in an
/// out-of-memory or index error.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned-byte images (3 dimensions).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned-byte labels (1 dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>The largest decompressed content <see cref="ComputeSha256"/> reads by default (1 GiB; MNIST's largest file is 47 MB).</summary>
    public const long DefaultMaxContentBytes = 1L << 30;

    private const int ChunkSize = 1 << 20;

    /// <summary>Reads an image file, checking its SHA-256 when <paramref name="expectedSha256"/> is given.</summary>
    /// <exception cref="InvalidDataFileException">The file is not an IDX image file, is truncated, or has another checksum.</exception>
    public static IdxImages ReadImages(string path, string? expectedSha256 = null)
    {
        (int[] dims, byte[] pixels) = ReadIdx(path, ImagesMagic, "IDX images", expectedSha256);
        return new IdxImages(dims[0], dims[1], dims[2], pixels);
    }

    /// <summary>Reads a label file (one byte per example), checking its SHA-256 when <paramref name="expectedSha256"/> is given.</summary>
    /// <exception cref="InvalidDataFileException">The file is not an IDX label file, is truncated, or has another checksum.</exception>
    public static byte[] ReadLabels(string path, string? expectedSha256 = null) =>
        ReadIdx(path, LabelsMagic, "IDX labels", expectedSha256).Payload;

    /// <summary>
    /// Lower-case hex SHA-256 of the file's content (decompressed if it starts with the gzip magic bytes), computed
    /// while streaming: memory use does not depend on the file's size.
    /// </summary>
    /// <exception cref="InvalidDataFileException">The file looks like gzip but cannot be decompressed, or holds more than <paramref name="maxBytes"/> bytes.</exception>
    public static string ComputeSha256(string path, long maxBytes = DefaultMaxContentBytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Stream(path, maxBytes, (buffer, _) => hash.AppendData(buffer));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // Whether the file starts with the gzip magic bytes 1F 8B; the position is left at the start.
    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        bool gzip = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        file.Position = 0;
        return gzip;
    }

    private static Stream Open(string path, out bool gzip, out long fileLength)
    {
        var file = File.OpenRead(path);
        fileLength = file.Length;
        gzip = IsGzip(file);
        return gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private delegate void ChunkReader(ReadOnlySpan<byte> chunk, long total);

    private static void Stream(string path, long maxBytes, ChunkReader onChunk)
    {
        bool gzip = false;
        try
        {
            using Stream content = Open(path, out gzip, out _);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = content.Read(buffer)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    throw new InvalidDataFileException(path, $"is too large: more than {maxBytes} bytes{(gzip ? " after gzip decompression" : "")}");
                }

                onChunk(buffer.AsSpan(0, read), total);
            }
        }
        catch (InvalidDataException e) when (gzip)
        {
            throw new InvalidDataFileException(path, $"is not a valid gzip file ({e.Message})", e);
        }
    }

    private static (int[] Dims, byte[] Payload) ReadIdx(string path, int expectedMagic, string kind, string? expectedSha256)
    {
        bool gzip = false;
        try
        {
            using Stream content = Open(path, out gzip, out long fileLength);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            string afterGzip = gzip ? " after gzip decompression (the compressed file is probably cut short)" : "";

            int rank = expectedMagic & 0xFF;
            int headerSize = 4 + 4 * rank;
            Span<byte> header = stackalloc byte[headerSize];
            int got = content.ReadAtLeast(header, headerSize, throwOnEndOfStream: false);
            hash.AppendData(header[..got]);
            if (got < 4)
            {
                throw new InvalidDataFileException(path, $"is truncated: expected at least 4 bytes, got {got}{afterGzip}");
            }

            int magic = BinaryPrimitives.ReadInt32BigEndian(header);
            if (magic != expectedMagic)
            {
                throw new InvalidDataFileException(
                    path, $"has the wrong magic number: expected 0x{expectedMagic:X8} ({kind}), found 0x{magic:X8}");
            }

            if (got < headerSize)
            {
                throw new InvalidDataFileException(
                    path, $"is truncated: expected at least {headerSize} bytes of header, got {got}{afterGzip}");
            }

            var dims = new int[rank];
            long payloadSize = 1;
            for (int d = 0; d < rank; d++)
            {
                int offset = 4 + 4 * d;
                dims[d] = BinaryPrimitives.ReadInt32BigEndian(header[offset..]);
                // Images need at least one row and column; only the item count may be 0.
                if (dims[d] < (d == 0 ? 0 : 1))
                {
                    throw new InvalidDataFileException(path, $"has an invalid header: dimension {dims[d]} at byte {offset}");
                }

                // Three int dimensions can overflow a long; anything over Array.MaxLength cannot be held anyway.
                payloadSize = Math.Min(payloadSize * dims[d], (long)Array.MaxLength + 1);
            }

            long expected = headerSize + payloadSize;
            if (payloadSize > Array.MaxLength)
            {
                throw new InvalidDataFileException(
                    path, $"has an invalid header: dimensions {string.Join(" × ", dims)} announce more than {Array.MaxLength} bytes of data");
            }

            if (!gzip && fileLength != expected)
            {
                // A raw file's size is known: a header that promises more (or less) than the file holds is refused before allocating.
                throw new InvalidDataFileException(path, fileLength < expected
                    ? $"is truncated: expected {expected} bytes, got {fileLength}"
                    : $"is too long: its header announces {expected} bytes, got {fileLength}");
            }

            byte[] payload = ReadPayload(content, (int)payloadSize, out int payloadRead);
            hash.AppendData(payload.AsSpan(0, payloadRead));
            if (payloadRead < payloadSize)
            {
                throw new InvalidDataFileException(path, $"is truncated: expected {expected} bytes, got {headerSize + payloadRead}{afterGzip}");
            }

            long extra = CountRest(content, limit: ChunkSize);
            if (extra > 0)
            {
                string more = extra > ChunkSize ? $"more than {expected + ChunkSize}" : $"{expected + extra}";
                throw new InvalidDataFileException(path, $"is too long: its header announces {expected} bytes, got {more}");
            }

            CheckSha256(path, hash.GetHashAndReset(), expectedSha256);
            return (dims, payload);
        }
        catch (InvalidDataException e) when (gzip)
        {
            throw new InvalidDataFileException(path, $"is not a valid gzip file ({e.Message})", e);
        }
    }

    // Reads up to `size` bytes, growing the buffer only as data arrives (at most twice what the file really holds).
    private static byte[] ReadPayload(Stream content, int size, out int read)
    {
        var buffer = new byte[Math.Min(size, ChunkSize)];
        read = 0;
        while (read < size)
        {
            if (read == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(size, 2L * buffer.Length));
            }

            int n = content.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return buffer;
    }

    private static long CountRest(Stream content, int limit)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long count = 0;
        int n;
        while (count <= limit && (n = content.Read(scratch)) > 0)
        {
            count += n;
        }

        return count;
    }

    private static void CheckSha256(string path, byte[] hash, string? expected)
    {
        if (expected is null)
        {
            return;
        }

        string actual = Convert.ToHexStringLower(hash);
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataFileException(
                path, $"failed its checksum: SHA-256 of the decompressed content is {actual}, expected {expected}");
        }
    }
}
