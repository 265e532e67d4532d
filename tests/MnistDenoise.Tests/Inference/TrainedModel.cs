using MnistDenoise.Inference;
using MnistDenoise.Model;
using MnistDenoise.Training;
using SkiaSharp;

namespace MnistDenoise.Tests.Inference;

/// <summary>
/// A small but trained autoencoder (30 steps on 600 MNIST images, fixed seed), saved once per test run as a checkpoint and
/// as an ONNX file; each test loads its own copy, so tests running in parallel never share a model.
/// </summary>
internal static class TrainedModel
{
    private static readonly TrainingOptions Options = new() { TrainSize = 600, BatchSize = 20, Epochs = 1, Seed = 11 };
    private static readonly string Folder = CreateFolder();

    private static string CreateFolder()
    {
        var folder = Directory.CreateTempSubdirectory("mnist-denoise-trained-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        };
        return folder;
    }

    private static readonly Lazy<string> CheckpointFile = new(() =>
    {
        using var model = Options.CreateModel();
        using (var trainer = new Trainer(model, Options))
            trainer.Train(SharedMnist.Train);
        var path = Path.Combine(Folder, Checkpoint.DefaultFileName);
        Checkpoint.Save(model, path);
        OnnxExport.Save(model, Path.Combine(Folder, "autoencoder.onnx"));
        return path;
    });

    /// <summary>The checkpoint's path (do not modify the file).</summary>
    public static string CheckpointPath => CheckpointFile.Value;

    /// <summary>The same weights exported with <see cref="OnnxExport.Save"/>.</summary>
    public static string OnnxPath => Path.Combine(Path.GetDirectoryName(CheckpointFile.Value)!, "autoencoder.onnx");

    /// <summary>A fresh model with the trained weights; the caller disposes it.</summary>
    public static ConvAutoencoder Load()
    {
        var model = new ConvAutoencoder();
        Checkpoint.Load(model, CheckpointPath);
        return model;
    }

    /// <summary>Test image <paramref name="index"/> as 784 values in [0, 1].</summary>
    public static float[] TestImage(int index) => SharedMnist.Test.Image(index).ToArray();

    /// <summary>Writes 784 values as a 28×28 grayscale PNG, the way a user would save an MNIST digit.</summary>
    public static void WritePng(float[] pixels, string path) => File.WriteAllBytes(path, MnistDenoise.Evaluation.ImageGrid.ToPng([[pixels]], scale: 1, gap: 0));

    /// <summary>
    /// A picture of a digit as a phone would see it: test image <paramref name="index"/> drawn dark on white paper,
    /// <paramref name="scale"/> times larger, at an offset in a larger page, encoded as <paramref name="format"/>.
    /// </summary>
    public static byte[] PaperPicture(int index, int scale, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var digit = TestImage(index);
        var (width, height) = (28 * scale + 37, 28 * scale + 11);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(SKColors.White);
        for (var y = 0; y < 28 * scale; y++)
            for (var x = 0; x < 28 * scale; x++)
            {
                var ink = (byte)Math.Round(255 * (1 - digit[y / scale * 28 + x / scale]));
                bitmap.SetPixel(x + 30, y + 4, new SKColor(ink, ink, ink));
            }
        using var data = bitmap.Encode(format, 95);
        return data.ToArray();
    }

    /// <summary>A well-formed grayscale PNG whose header says 50,000×50,000 pixels, with a few bytes of image data: a decompression bomb's header.</summary>
    public static byte[] HugeHeaderPng()
    {
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, 50_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), 50_000);
        header[8] = 8; // bit depth; colour type 0 (grayscale), compression, filter, interlace 0
        using var zlib = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(zlib, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            z.Write(new byte[50_001]); // the first row: filter byte + 50,000 black pixels
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", zlib.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var body = new byte[4 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(body, 0);
        data.CopyTo(body, 4);
        var word = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(body);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(body));
        png.Write(word);
    }

    // PNG's CRC-32 (ISO 3309, polynomial 0xEDB88320), bit by bit: a header of 17 bytes needs no table.
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
