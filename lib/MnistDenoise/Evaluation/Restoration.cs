using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Model;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Evaluation;

/// <summary>How well one method restores the test images of one corruption.</summary>
/// <param name="Method">One of <see cref="Restoration.Methods"/>.</param>
/// <param name="Images">How many test images were scored.</param>
/// <param name="MeanPsnr">Mean over images of each image's PSNR (dB, capped at <see cref="ImageQuality.MaxPsnr"/>).</param>
/// <param name="MeanSsim">Mean over images of each image's SSIM (<see cref="Ssim"/>).</param>
/// <param name="SetPsnr">PSNR (dB) of the mean squared error over every pixel of the set, as <see cref="EvaluationResult.ReconstructedPsnr"/>.</param>
public sealed record MethodScore(string Method, int Images, double MeanPsnr, double MeanSsim, double SetPsnr);

/// <summary>One row group of the results table: a network trained for one corruption on one dataset, scored beside the baselines.</summary>
/// <param name="Dataset">The dataset's name, e.g. MNIST.</param>
/// <param name="Corruption">The corruption's canonical spec.</param>
/// <param name="Steps">Training steps taken.</param>
/// <param name="FinalEpochLoss">Mean training loss of the last epoch.</param>
/// <param name="TrainSeconds">Training wall time.</param>
/// <param name="Scores">One score per method, in the order of <see cref="Restoration.Methods"/>.</param>
public sealed record CorruptionResult(
    string Dataset, string Corruption, int Steps, double FinalEpochLoss, double TrainSeconds, IReadOnlyList<MethodScore> Scores)
{
    /// <summary>The autoencoder's score.</summary>
    public MethodScore Autoencoder => Scores.Single(s => s.Method == Restoration.AutoencoderMethod);

    /// <summary>The baselines' scores (everything but the autoencoder).</summary>
    public IEnumerable<MethodScore> BaselineScores => Scores.Where(s => s.Method != Restoration.AutoencoderMethod);

    /// <summary>Autoencoder minus the best baseline, in mean PSNR (dB) and mean SSIM: positive where the network wins.</summary>
    public (double Psnr, double Ssim) Margin =>
        (Autoencoder.MeanPsnr - BaselineScores.Max(s => s.MeanPsnr), Autoencoder.MeanSsim - BaselineScores.Max(s => s.MeanSsim));
}

/// <summary>
/// The restoration benchmark of the results table and notebook 06: the same damaged test images restored by doing
/// nothing, by a 3×3 median filter, by a Gaussian blur, and by the tutorial's autoencoder trained for that damage.
/// </summary>
public static class Restoration
{
    /// <summary>The method name of the untouched damaged input.</summary>
    public const string CorruptedMethod = "corrupted input";

    /// <summary>The method name of <see cref="Baselines.Median3x3"/>.</summary>
    public const string MedianMethod = "median 3×3";

    /// <summary>The method name of <see cref="Baselines.GaussianBlur"/> with its default σ.</summary>
    public const string BlurMethod = "Gaussian blur σ 0.75";

    /// <summary>The method name of the trained network.</summary>
    public const string AutoencoderMethod = "autoencoder";

    /// <summary>Every method, in table order.</summary>
    public static IReadOnlyList<string> Methods { get; } = [CorruptedMethod, MedianMethod, BlurMethod, AutoencoderMethod];

    /// <summary>
    /// Damages the test images (or the first <paramref name="limit"/>) with <paramref name="corruption"/> drawn from
    /// <paramref name="seed"/> and scores every method on the same damaged images.
    /// </summary>
    public static IReadOnlyList<MethodScore> Score(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int seed = 1234, int? limit = null, int batchSize = 500,
        CancellationToken cancellationToken = default)
    {
        var count = Evaluator.ImagesToScore(model, test, corruption, batchSize, limit);

        var sums = Methods.ToDictionary(m => m, _ => (Psnr: 0.0, Ssim: 0.0, Sse: 0.0));
        model.eval();
        using var _ = inference_mode();
        foreach (var (clean, damaged, _) in Evaluator.DamagedBatches(model, test, count, corruption, seed, batchSize, cancellationToken))
        {
            foreach (var (method, restored) in Restore(model, damaged))
            {
                var (psnr, ssim, sse) = sums[method];
                sums[method] = (psnr + ImageQuality.PsnrPerImage(restored, clean).sum().item<double>(),
                    ssim + Ssim.PerImage(restored, clean).sum().item<double>(),
                    sse + (restored - clean).square().sum().to(ScalarType.Float64).item<double>());
            }
        }
        var pixels = (double)count * test.ImageSize;
        return Methods.Select(m => new MethodScore(m, count, sums[m].Psnr / count, sums[m].Ssim / count, Psnr.FromMse(sums[m].Sse / pixels))).ToArray();
    }

    /// <summary>
    /// Rows for a picture of <paramref name="count"/> test images: damaged input, each baseline, the autoencoder, and
    /// the original (one row each, in <see cref="Methods"/> order, then the original); 784 values per image.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<float[]>> Samples(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int count = 10, int seed = 1234)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(corruption);
        using var scope = NewDisposeScope();
        var clean = Evaluator.Pick(test, count, null, out _).to(model.weights["conv1"].device);
        using var generator = new Generator((ulong)seed);
        var damaged = corruption.Apply(clean, generator);
        using var noGrad = inference_mode();
        return [.. Restore(model, damaged).Select(r => Evaluator.Rows(r.Restored)), Evaluator.Rows(clean)];
    }

    /// <summary>The picture of <see cref="Samples"/> as a PNG (rows: corrupted, median, blur, autoencoder, original).</summary>
    public static byte[] SamplesPng(ConvAutoencoder model, DataSet test, ICorruption corruption, int count = 10, int seed = 1234) =>
        ImageGrid.ToPng(Samples(model, test, corruption, count, seed));

    /// <summary>
    /// Trains a fresh autoencoder (<paramref name="options"/>, with its corruption set to <paramref name="corruption"/>)
    /// on <paramref name="data"/>'s training images, then scores it beside the baselines on the test images.
    /// </summary>
    public static (CorruptionResult Result, ConvAutoencoder Model) TrainAndScore(
        string dataset, DataSets data, ICorruption corruption, TrainingOptions options, int? evalSize = null,
        Action<TrainingStep>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(corruption);
        ArgumentNullException.ThrowIfNull(options);
        options = options with { Corruption = corruption.Spec };
        var model = options.CreateModel();
        try
        {
            using var trainer = new Trainer(model, options);
            var training = trainer.Train(data.Train, onStep, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            var scores = Score(model, data.Test, corruption, limit: evalSize, cancellationToken: cancellationToken);
            return (new CorruptionResult(dataset, corruption.Spec, training.StepLosses.Count,
                training.EpochLosses.Count > 0 ? training.EpochLosses[^1] : double.NaN, training.Elapsed.TotalSeconds, scores), model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static IEnumerable<(string Method, Tensor Restored)> Restore(ConvAutoencoder model, Tensor damaged)
    {
        yield return (CorruptedMethod, damaged);
        yield return (MedianMethod, Baselines.Median3x3(damaged));
        yield return (BlurMethod, Baselines.GaussianBlur(damaged));
        yield return (AutoencoderMethod, model.Reconstruct(damaged));
    }
}
