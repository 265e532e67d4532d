using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Model;
using static TorchSharp.torch;

namespace MnistDenoise.Evaluation;

/// <summary>Scores a trained autoencoder on test images damaged like its training inputs (the tutorial's final check, and more).</summary>
public static class Evaluator
{
    /// <summary>
    /// Damages every image of <paramref name="test"/> (or the first <paramref name="limit"/>) with
    /// <paramref name="corruption"/>, reconstructs it, and returns the set PSNRs, the loss, and the per-image mean
    /// PSNR and SSIM. The damage is drawn from <paramref name="seed"/>, so two models are compared on the same inputs.
    /// </summary>
    public static EvaluationResult Evaluate(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int seed = TestDamage.Seed, int batchSize = Scorer.DefaultBatchSize,
        int? limit = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        double lossSum = 0;
        Tensor? logits = null;
        model.eval();
        var scores = Scorer.Score(test, corruption,
            [
                new Restorer(Restoration.CorruptedMethod, damaged => damaged),
                new Restorer(Restoration.AutoencoderMethod, damaged => sigmoid(logits = model.forward(damaged))),
            ],
            model.weights["conv1"].device, seed, limit, batchSize, cancellationToken,
            // The tutorial's cost needs the logits, which the autoencoder's restorer keeps for the batch.
            afterBatch: (clean, n) => lossSum += Ops.cost(logits!, clean).item<float>() * n);
        var (noisy, reconstructed) = (scores.Scores[0], scores.Scores[1]);
        return new EvaluationResult(noisy.Images, noisy.SetPsnr, reconstructed.SetPsnr, lossSum / noisy.Images)
        {
            Corruption = corruption.Spec,
            NoisyMeanPsnr = noisy.MeanPsnr,
            ReconstructedMeanPsnr = reconstructed.MeanPsnr,
            NoisySsim = noisy.MeanSsim,
            ReconstructedSsim = reconstructed.MeanSsim,
        };
    }

    /// <summary>
    /// Damages <paramref name="count"/> test images (the first ones, unless <paramref name="indices"/> says which) with
    /// <paramref name="corruption"/>, drawn from <paramref name="seed"/>, and reconstructs them.
    /// </summary>
    public static Reconstructions Reconstruct(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int count = 10, int seed = TestDamage.Seed, int[]? indices = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(corruption);
        using var scope = NewDisposeScope();
        var clean = TestImages.Pick(test, count, indices, out indices);
        var device = model.weights["conv1"].device;
        using var generator = new Generator((ulong)seed);
        var noisy = corruption.Apply(clean.to(device), generator);
        var reconstructed = model.Reconstruct(noisy);
        return new Reconstructions(indices, TestImages.Rows(noisy), TestImages.Rows(reconstructed), TestImages.Rows(clean));
    }
}
