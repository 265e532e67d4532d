using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using MnistDenoise.Data;

namespace MnistDenoise.Tests.Data;

/// <summary>Builds small IDX files and datasets for tests.</summary>
internal static class IdxFiles
{
    public static byte[] Images(int count, int rows, int columns, Func<int, int, byte> pixel)
    {
        var content = new byte[16 + count * rows * columns];
        BinaryPrimitives.WriteInt32BigEndian(content, IdxReader.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(12), columns);
        for (int i = 0; i < count; i++)
        {
            for (int p = 0; p < rows * columns; p++)
            {
                content[16 + i * rows * columns + p] = pixel(i, p);
            }
        }

        return content;
    }

    public static byte[] Labels(IEnumerable<byte> labels)
    {
        byte[] values = labels.ToArray();
        var content = new byte[8 + values.Length];
        BinaryPrimitives.WriteInt32BigEndian(content, IdxReader.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(content.AsSpan(4), values.Length);
        values.CopyTo(content, 8);
        return content;
    }

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    public static byte[] Gunzip(byte[] compressed)
    {
        using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Whether the file starts with the gzip magic bytes 1F 8B (what the reader goes by, not the name).</summary>
    public static bool IsGzip(string path)
    {
        Span<byte> magic = stackalloc byte[2];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>
    /// A tiny MNIST-like dataset of 2×3 images: example i of the training file has every pixel = i and label i % 10;
    /// test example i has pixels 200 + i. Returns each file's raw content by name, and a spec with their checksums.
    /// </summary>
    public static (DatasetSpec Spec, Dictionary<string, byte[]> Raw) Tiny(int trainCount = 12, int testCount = 4)
    {
        var raw = new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte"] = Images(trainCount, 2, 3, (i, _) => (byte)i),
            ["train-labels-idx1-ubyte"] = Labels(Enumerable.Range(0, trainCount).Select(i => (byte)(i % 10))),
            ["t10k-images-idx3-ubyte"] = Images(testCount, 2, 3, (i, _) => (byte)(200 + i)),
            ["t10k-labels-idx1-ubyte"] = Labels(Enumerable.Range(0, testCount).Select(i => (byte)(9 - i % 10))),
        };
        DatasetFile File(string name) => new(name, Sha256(raw[name]));
        var spec = new DatasetSpec(
            "Tiny",
            File("train-images-idx3-ubyte"),
            File("train-labels-idx1-ubyte"),
            File("t10k-images-idx3-ubyte"),
            File("t10k-labels-idx1-ubyte"),
            []);
        return (spec, raw);
    }

    /// <summary>Writes <see cref="Tiny"/>'s files into <paramref name="directory"/>, gzip-compressed or raw.</summary>
    public static DatasetSpec WriteTiny(string directory, bool gzip, int trainCount = 12, int testCount = 4)
    {
        (DatasetSpec spec, Dictionary<string, byte[]> raw) = Tiny(trainCount, testCount);
        foreach ((string name, byte[] content) in raw)
        {
            File.WriteAllBytes(Path.Combine(directory, gzip ? name + ".gz" : name), gzip ? Gzip(content) : content);
        }

        return spec;
    }
}
