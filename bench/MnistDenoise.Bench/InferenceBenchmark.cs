using System.Diagnostics;
using MnistDenoise.Inference;
using MnistDenoise.Model;
using static TorchSharp.torch;

namespace MnistDenoise.Bench;

/// <summary>Forward-pass timings of the two engines on the same batch (see <see cref="InferenceBenchmark.Compare"/>).</summary>
/// <param name="BatchSize">Images per forward pass.</param>
/// <param name="Passes">Timed passes per engine (after the warm-up passes).</param>
/// <param name="TorchMsPerBatch">Median milliseconds per pass of <see cref="ConvAutoencoder.Reconstruct"/> (TorchSharp).</param>
/// <param name="OnnxMsPerBatch">Median milliseconds per pass of ONNX Runtime on <see cref="OnnxExport"/>'s graph.</param>
/// <param name="MaxAbsDifference">Largest difference between the two engines' outputs on that batch.</param>
internal sealed record InferenceTiming(int BatchSize, int Passes, double TorchMsPerBatch, double OnnxMsPerBatch, double MaxAbsDifference)
{
    /// <summary>Images per second of TorchSharp.</summary>
    public double TorchImagesPerSecond => BatchSize / TorchMsPerBatch * 1000;

    /// <summary>Images per second of ONNX Runtime.</summary>
    public double OnnxImagesPerSecond => BatchSize / OnnxMsPerBatch * 1000;
}

/// <summary>Times inference of the autoencoder on TorchSharp against ONNX Runtime, for the bench table.</summary>
internal static class InferenceBenchmark
{
    /// <summary>
    /// Exports <paramref name="model"/> to ONNX in memory, then runs <paramref name="warmup"/> untimed and
    /// <paramref name="passes"/> timed forward passes of each engine on one batch of <paramref name="batchSize"/> random
    /// images in [0, 1] (seeded), alternating engines pass by pass so that both see the same machine load.
    /// </summary>
    public static InferenceTiming Compare(ConvAutoencoder model, int batchSize = 200, int passes = 20, int warmup = 3, long seed = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(passes);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        float[] images;
        using (var generator = new Generator((ulong)seed))
        using (var random = rand([batchSize, ConvAutoencoder.ImageSize, ConvAutoencoder.ImageSize, 1], generator: generator))
            images = random.data<float>().ToArray();

        using var torchEngine = new TorchEngine(model);
        using var onnxEngine = OnnxEngine.FromBytes(OnnxExport.ToBytes(model));
        var torchTimes = new List<double>();
        var onnxTimes = new List<double>();
        float[] torchOut = [], onnxOut = [];
        for (var pass = 0; pass < warmup + passes; pass++)
        {
            var watch = Stopwatch.StartNew();
            torchOut = torchEngine.Reconstruct(images, batchSize);
            var torchMs = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            onnxOut = onnxEngine.Reconstruct(images, batchSize);
            var onnxMs = watch.Elapsed.TotalMilliseconds;
            if (pass < warmup) continue;
            torchTimes.Add(torchMs);
            onnxTimes.Add(onnxMs);
        }
        var maxDiff = torchOut.Zip(onnxOut, (a, b) => (double)Math.Abs(a - b)).Max();
        return new InferenceTiming(batchSize, passes, Numbers.Median(torchTimes), Numbers.Median(onnxTimes), maxDiff);
    }
}
