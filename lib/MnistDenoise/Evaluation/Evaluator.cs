using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Evaluation;

/// <summary>Scores a trained autoencoder on test images corrupted like the training inputs.</summary>
public static class Evaluator
{
    private const int Side = ConvAutoencoder.ImageSize;

    /// <summary>
    /// Corrupts every image of <paramref name="test"/> (or the first <paramref name="limit"/>) with
    /// <paramref name="noiseFactor"/>, reconstructs it, and returns both PSNRs and the loss.
    /// The noise is drawn from <paramref name="seed"/>, so two models are compared on the same inputs.
    /// </summary>
    /// <remarks>
    /// The default batch of 200 matches training's: with the allocator tuned for training (freed memory is kept),
    /// same-sized tensors reuse the blocks training freed, while larger batches grow the heap (peak RSS of
    /// training plus evaluation 2.3 GB at 500, see docs/performance.md). The noise is the same at any batch size.
    /// </remarks>
    public static EvaluationResult Evaluate(
        ConvAutoencoder model, DataSet test, double noiseFactor = 0.5, int seed = 1234, int batchSize = 200,
        int? limit = null, CancellationToken cancellationToken = default) =>
        Evaluate(model, test, new Gaussian(noiseFactor), seed, batchSize, limit, cancellationToken);

    /// <summary>
    /// Damages every image of <paramref name="test"/> (or the first <paramref name="limit"/>) with
    /// <paramref name="corruption"/>, reconstructs it, and returns the set PSNRs, the loss, and the per-image mean
    /// PSNR and SSIM. The damage is drawn from <paramref name="seed"/>, so two models are compared on the same inputs.
    /// </summary>
    public static EvaluationResult Evaluate(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int seed = 1234, int batchSize = 200,
        int? limit = null, CancellationToken cancellationToken = default)
    {
        var count = ImagesToScore(model, test, corruption, batchSize, limit);

        double noisySse = 0, reconstructedSse = 0, lossSum = 0;
        double noisyPsnrSum = 0, reconstructedPsnrSum = 0, noisySsimSum = 0, reconstructedSsimSum = 0;
        model.eval();
        using var _ = inference_mode();
        foreach (var (clean, noisy, n) in DamagedBatches(model, test, count, corruption, seed, batchSize, cancellationToken))
        {
            var logits = model.forward(noisy);
            var reconstructed = sigmoid(logits);
            lossSum += Ops.cost(logits, clean).item<float>() * n;
            noisySse += (noisy - clean).square().sum().item<float>();
            reconstructedSse += (reconstructed - clean).square().sum().item<float>();
            noisyPsnrSum += ImageQuality.PsnrPerImage(noisy, clean).sum().item<double>();
            reconstructedPsnrSum += ImageQuality.PsnrPerImage(reconstructed, clean).sum().item<double>();
            noisySsimSum += Ssim.PerImage(noisy, clean).sum().item<double>();
            reconstructedSsimSum += Ssim.PerImage(reconstructed, clean).sum().item<double>();
        }
        var pixels = (double)count * test.ImageSize;
        return new EvaluationResult(count, Psnr.FromMse(noisySse / pixels), Psnr.FromMse(reconstructedSse / pixels), lossSum / count)
        {
            Corruption = corruption.Spec,
            NoisyMeanPsnr = noisyPsnrSum / count,
            ReconstructedMeanPsnr = reconstructedPsnrSum / count,
            NoisySsim = noisySsimSum / count,
            ReconstructedSsim = reconstructedSsimSum / count,
        };
    }

    /// <summary>Checks the arguments every scoring loop shares and returns how many test images it scores.</summary>
    internal static int ImagesToScore(ConvAutoencoder model, DataSet test, ICorruption corruption, int batchSize, int? limit)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(corruption);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var count = Math.Min(test.NumExamples, limit ?? test.NumExamples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count, nameof(limit));
        return count;
    }

    /// <summary>
    /// The first <paramref name="count"/> test images in batches (N, 28, 28, 1) on the model's device, each with its
    /// damage drawn from one generator seeded <paramref name="seed"/>. Every tensor made while the caller handles a
    /// batch belongs to that batch's dispose scope and is freed when the next batch is asked for.
    /// </summary>
    internal static IEnumerable<(Tensor Clean, Tensor Damaged, int Count)> DamagedBatches(
        ConvAutoencoder model, DataSet test, int count, ICorruption corruption, int seed, int batchSize, CancellationToken cancellationToken)
    {
        var device = model.weights["conv1"].device;
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
            // Measured after a training run: without this, resident memory grew by ~190 MB per 2,000 test images
            // (peak 2.8 GB for the whole test set) and stayed flat with it (1.3 GB). Some native temporaries of the
            // metric computations are released only by TorchSharp's finalizers, which a full collection runs; one
            // collection per batch costs a few milliseconds against the batch's ~50 ms forward pass.
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>
    /// The tutorial's final check: corrupts <paramref name="count"/> test images (the first ones, unless
    /// <paramref name="indices"/> says which) and reconstructs them.
    /// </summary>
    public static Reconstructions Reconstruct(
        ConvAutoencoder model, DataSet test, int count = 10, double noiseFactor = 0.5, int seed = 1234, int[]? indices = null) =>
        Reconstruct(model, test, new Gaussian(noiseFactor), count, seed, indices);

    /// <summary>
    /// Damages <paramref name="count"/> test images (the first ones, unless <paramref name="indices"/> says which) with
    /// <paramref name="corruption"/>, drawn from <paramref name="seed"/>, and reconstructs them.
    /// </summary>
    public static Reconstructions Reconstruct(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int count = 10, int seed = 1234, int[]? indices = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(corruption);
        using var scope = NewDisposeScope();
        var clean = Pick(test, count, indices, out indices);
        var device = model.weights["conv1"].device;
        using var generator = new Generator((ulong)seed);
        var noisy = corruption.Apply(clean.to(device), generator);
        var reconstructed = model.Reconstruct(noisy);
        return new Reconstructions(indices, Rows(noisy), Rows(reconstructed), Rows(clean));
    }

    /// <summary>Test images as an NHWC tensor on the CPU, the first <paramref name="count"/> unless <paramref name="indices"/> says which.</summary>
    internal static Tensor Pick(DataSet test, int count, int[]? indices, out int[] picked)
    {
        picked = indices ?? Enumerable.Range(0, Math.Min(count, test.NumExamples)).ToArray();
        if (picked.Length == 0 || picked.Any(i => i < 0 || i >= test.NumExamples))
            throw new ArgumentOutOfRangeException(nameof(indices), $"Pick 1 or more image indices between 0 and {test.NumExamples - 1}.");
        var pixels = picked.SelectMany(i => test.Image(i).ToArray()).ToArray();
        return tensor(pixels, [picked.Length, Side, Side, 1]);
    }

    internal static float[][] Rows(Tensor images)
    {
        var flat = images.cpu().contiguous().data<float>().ToArray();
        var size = Side * Side;
        return Enumerable.Range(0, flat.Length / size).Select(i => flat.AsSpan(i * size, size).ToArray()).ToArray();
    }
}
