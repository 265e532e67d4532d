using MnistDenoise.Corruption;
using MnistDenoise.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Evaluation;

/// <summary>A way to restore damaged images: a name for tables and a function from a damaged batch (N, 28, 28, 1) to its restoration.</summary>
/// <param name="Name">The method's name in tables and pictures.</param>
/// <param name="Restore">Restores a batch; called inside the scorer's inference mode and the batch's dispose scope.</param>
public sealed record Restorer(string Name, Func<Tensor, Tensor> Restore);

/// <summary>
/// The one scoring loop of the project: damages the test images with a fixed seed, restores every batch with each
/// <see cref="Restorer"/>, and scores each restoration against the clean images (per-image PSNR and SSIM, and the PSNR
/// of the whole set's squared error). <see cref="Evaluator"/> and <see cref="Restoration"/> are this loop with their restorers.
/// </summary>
public static class Scorer
{
    /// <summary>
    /// Test images per batch: training's batch, so that with the allocator tuned for training (freed memory is kept) the
    /// scoring tensors reuse the blocks training freed; larger batches grow the heap. The damage does not depend on it.
    /// </summary>
    public const int DefaultBatchSize = 200;

    /// <summary>
    /// Scores <paramref name="restorers"/> on the first <paramref name="limit"/> test images (all when null), damaged by
    /// <paramref name="corruption"/> from <paramref name="seed"/>, on <paramref name="device"/>. <paramref name="afterBatch"/>,
    /// if given, sees each batch's clean images and size after the restorers ran (for metrics of a caller's own).
    /// </summary>
    public static RestorationScores Score(DataSet test, ICorruption corruption, IReadOnlyList<Restorer> restorers, Device device,
        int seed = TestDamage.Seed, int? limit = null, int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default,
        Action<Tensor, int>? afterBatch = null)
    {
        ArgumentNullException.ThrowIfNull(restorers);
        var count = ImagesToScore(test, corruption, batchSize, limit);
        var sums = restorers.ToDictionary(r => r.Name, _ => (Ssim: 0.0, Sse: 0.0));
        var perImage = restorers.ToDictionary(r => r.Name, _ => new double[count]);
        var damagedImages = new float[count * test.ImageSize];
        var start = 0;
        using var _ = inference_mode();
        foreach (var (clean, damaged, n) in DamagedBatches(test, count, corruption, device, seed, batchSize, cancellationToken))
        {
            damaged.cpu().contiguous().data<float>().CopyTo(damagedImages, start * test.ImageSize);
            foreach (var restorer in restorers)
            {
                var restored = restorer.Restore(damaged);
                ImageQuality.PsnrPerImage(restored, clean).to(ScalarType.Float64).cpu().data<double>().CopyTo(perImage[restorer.Name], start);
                var (ssim, sse) = sums[restorer.Name];
                sums[restorer.Name] = (ssim + Ssim.PerImage(restored, clean).sum().item<double>(),
                    sse + (restored - clean).square().sum().to(ScalarType.Float64).item<double>());
            }
            afterBatch?.Invoke(clean, n);
            start += n;
        }
        var pixels = (double)count * test.ImageSize;
        var scores = restorers.Select(r => new MethodScore(r.Name, count, perImage[r.Name].Average(), sums[r.Name].Ssim / count,
            Psnr.FromMse(sums[r.Name].Sse / pixels))).ToArray();
        return new RestorationScores(scores, perImage, test.Labels[..count], damagedImages);
    }

    private static int ImagesToScore(DataSet test, ICorruption corruption, int batchSize, int? limit)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(corruption);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var count = Math.Min(test.NumExamples, limit ?? test.NumExamples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count, nameof(limit));
        return count;
    }

    // The first `count` test images in batches (N, 28, 28, 1) on `device`, each with its damage drawn from one generator
    // seeded `seed`. Every tensor made while the caller handles a batch belongs to that batch's dispose scope and is
    // freed when the next batch is asked for.
    private static IEnumerable<(Tensor Clean, Tensor Damaged, int Count)> DamagedBatches(
        DataSet test, int count, ICorruption corruption, Device device, int seed, int batchSize, CancellationToken cancellationToken)
    {
        using var generator = new Generator((ulong)seed);
        for (var start = 0; start < count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var scope = NewDisposeScope())
            {
                var n = Math.Min(batchSize, count - start);
                var clean = tensor(test.Images.AsSpan(start * test.ImageSize, n * test.ImageSize).ToArray(), [n, test.Rows, test.Columns, 1]).to(device);
                yield return (clean, corruption.Apply(clean, generator), n);
            }
            // Some native temporaries of the metric computations are released only by TorchSharp's finalizers, which a
            // full collection runs: without it resident memory grew by ~190 MB per 2,000 test images after a training
            // run. One collection per batch costs a few milliseconds against the batch's forward pass.
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }
}

/// <summary>Test images picked out of a data set as tensors, and tensors back to rows of pixels for pictures.</summary>
internal static class TestImages
{
    /// <summary>Test images as an NHWC tensor on the CPU, the first <paramref name="count"/> unless <paramref name="indices"/> says which.</summary>
    public static Tensor Pick(DataSet test, int count, int[]? indices, out int[] picked)
    {
        picked = indices ?? Enumerable.Range(0, Math.Min(count, test.NumExamples)).ToArray();
        if (picked.Length == 0 || picked.Any(i => i < 0 || i >= test.NumExamples))
            throw new ArgumentOutOfRangeException(nameof(indices), $"Pick 1 or more image indices between 0 and {test.NumExamples - 1}.");
        var pixels = picked.SelectMany(i => test.Image(i).ToArray()).ToArray();
        return tensor(pixels, [picked.Length, test.Rows, test.Columns, 1]);
    }

    /// <summary>A batch (N, 28, 28, 1) as N arrays of 784 values.</summary>
    public static float[][] Rows(Tensor images)
    {
        var flat = images.cpu().contiguous().data<float>().ToArray();
        var size = (int)(images.shape[1] * images.shape[2]);
        return Enumerable.Range(0, flat.Length / size).Select(i => flat.AsSpan(i * size, size).ToArray()).ToArray();
    }
}
