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

/// <summary>How well the autoencoder and the best baseline restore the test images of one class.</summary>
/// <param name="Class">The class's name (a digit, or a Fashion-MNIST garment).</param>
/// <param name="Images">Test images of this class scored.</param>
/// <param name="CorruptedPsnr">Mean PSNR (dB) of the damaged images.</param>
/// <param name="BestBaselinePsnr">Mean PSNR (dB) of the baseline with the best mean over all classes.</param>
/// <param name="AutoencoderPsnr">Mean PSNR (dB) of the autoencoder.</param>
public sealed record ClassScore(string Class, int Images, double CorruptedPsnr, double BestBaselinePsnr, double AutoencoderPsnr);

/// <summary>A test image the autoencoder restores badly.</summary>
/// <param name="Index">Its index in the test set.</param>
/// <param name="Class">Its class's name.</param>
/// <param name="AutoencoderPsnr">The autoencoder's PSNR on it (dB).</param>
/// <param name="BestBaselinePsnr">The best baseline's PSNR on it (dB).</param>
public sealed record WorstImage(int Index, string Class, double AutoencoderPsnr, double BestBaselinePsnr);

/// <summary>One row group of the results table: a network trained for one corruption on one dataset, scored beside the baselines.</summary>
/// <param name="Dataset">The dataset's name, e.g. MNIST.</param>
/// <param name="Corruption">The corruption's canonical spec.</param>
/// <param name="Steps">Training steps taken.</param>
/// <param name="FinalEpochLoss">Mean training loss of the last epoch.</param>
/// <param name="TrainSeconds">Training wall time.</param>
/// <param name="Scores">One score per method, in the order of <see cref="Restoration.MethodsFor"/>.</param>
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

    /// <summary>Per class of the test images: the autoencoder against the damaged input and the best baseline (empty when not computed).</summary>
    public IReadOnlyList<ClassScore> PerClass { get; init; } = [];

    /// <summary>The test images the autoencoder restores worst, worst first (empty when not computed).</summary>
    public IReadOnlyList<WorstImage> Worst { get; init; } = [];
}

/// <summary>
/// Every method's scores on one corruption, with what the per-class view and the pictures need: each image's PSNR per
/// method, the labels, and the damaged images themselves (so a picture shows exactly the damage that was scored).
/// </summary>
/// <param name="Scores">One score per method, in the order of <see cref="Restoration.MethodsFor"/>.</param>
/// <param name="PerImagePsnr">Each scored image's PSNR (dB), per method.</param>
/// <param name="Labels">The scored images' labels.</param>
/// <param name="Damaged">The damaged images, 784 values each, in test-set order.</param>
public sealed record RestorationScores(
    IReadOnlyList<MethodScore> Scores, IReadOnlyDictionary<string, double[]> PerImagePsnr, byte[] Labels, float[] Damaged)
{
    /// <summary>The baseline with the best mean PSNR.</summary>
    public string BestBaseline => Scores.Where(s => s.Method != Restoration.AutoencoderMethod).MaxBy(s => s.MeanPsnr)!.Method;

    /// <summary>Mean PSNR per class of the damaged input, the best baseline and the autoencoder.</summary>
    public IReadOnlyList<ClassScore> PerClass(IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var best = BestBaseline;
        return [.. Enumerable.Range(0, classNames.Count).Select(c =>
        {
            var members = Enumerable.Range(0, Labels.Length).Where(i => Labels[i] == c).ToArray();
            double Mean(string method) => members.Length == 0 ? double.NaN : members.Average(i => PerImagePsnr[method][i]);
            return new ClassScore(classNames[c], members.Length, Mean(Restoration.CorruptedMethod), Mean(best), Mean(Restoration.AutoencoderMethod));
        })];
    }

    /// <summary>The <paramref name="count"/> images with the autoencoder's lowest PSNR, worst first.</summary>
    public IReadOnlyList<WorstImage> Worst(IReadOnlyList<string> classNames, int count = 10)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var ae = PerImagePsnr[Restoration.AutoencoderMethod];
        var best = PerImagePsnr[BestBaseline];
        return [.. Enumerable.Range(0, ae.Length).OrderBy(i => ae[i]).ThenBy(i => i).Take(count)
            .Select(i => new WorstImage(i, classNames[Labels[i]], ae[i], best[i]))];
    }
}

/// <summary>
/// The restoration benchmark of the results table and notebook 06: the same damaged test images restored by doing
/// nothing, by a 3×3 median filter, by a Gaussian blur, on pixelation also by bicubic upscaling of the block means, and
/// by the tutorial's autoencoder trained for that damage.
/// </summary>
public static class Restoration
{
    /// <summary>The method name of the untouched damaged input.</summary>
    public const string CorruptedMethod = "corrupted input";

    /// <summary>The method name of <see cref="Baselines.Median3x3"/>.</summary>
    public const string MedianMethod = "median 3×3";

    /// <summary>The method name of <see cref="Baselines.GaussianBlur"/> with its default σ.</summary>
    public static readonly string BlurMethod = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Gaussian blur σ {Baselines.DefaultBlurSigma}");

    /// <summary>The method name of <see cref="Baselines.BicubicFromBlocks"/> (only for corruptions with a mosaic).</summary>
    public const string BicubicMethod = "bicubic of block means";

    /// <summary>The method name of the trained network.</summary>
    public const string AutoencoderMethod = "autoencoder";

    /// <summary>The methods scored on every corruption, in table order.</summary>
    public static IReadOnlyList<string> Methods { get; } = [CorruptedMethod, MedianMethod, BlurMethod, AutoencoderMethod];

    /// <summary>Every method there is, in table order.</summary>
    public static IReadOnlyList<string> AllMethods { get; } = [CorruptedMethod, MedianMethod, BlurMethod, BicubicMethod, AutoencoderMethod];

    /// <summary>The methods scored on <paramref name="corruption"/>: <see cref="Methods"/>, plus <see cref="BicubicMethod"/> where it pixelates.</summary>
    public static IReadOnlyList<string> MethodsFor(ICorruption corruption) =>
        MosaicBlock(corruption) is null ? Methods : AllMethods;

    /// <summary>The block side of the (first) mosaic in <paramref name="corruption"/>, or null when it has none.</summary>
    public static int? MosaicBlock(ICorruption corruption) => corruption switch
    {
        Mosaic m => m.BlockSize,
        Combined c => c.Parts.Select(MosaicBlock).FirstOrDefault(b => b is not null),
        _ => null,
    };

    /// <summary>
    /// Damages the test images (or the first <paramref name="limit"/>) with <paramref name="corruption"/> drawn from
    /// <paramref name="seed"/> and scores every method on the same damaged images.
    /// </summary>
    public static IReadOnlyList<MethodScore> Score(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int seed = 1234, int? limit = null, int batchSize = 500,
        CancellationToken cancellationToken = default) =>
        ScoreInDetail(model, test, corruption, seed, limit, batchSize, cancellationToken).Scores;

    /// <summary><see cref="Score"/>, keeping each image's PSNR per method, the labels and the damaged images.</summary>
    public static RestorationScores ScoreInDetail(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int seed = 1234, int? limit = null, int batchSize = 500,
        CancellationToken cancellationToken = default)
    {
        var count = Evaluator.ImagesToScore(model, test, corruption, batchSize, limit);
        var methods = MethodsFor(corruption);
        var sums = methods.ToDictionary(m => m, _ => (Ssim: 0.0, Sse: 0.0));
        var perImage = methods.ToDictionary(m => m, _ => new double[count]);
        var damagedImages = new float[count * test.ImageSize];
        var start = 0;
        model.eval();
        using var _ = inference_mode();
        foreach (var (clean, damaged, n) in Evaluator.DamagedBatches(model, test, count, corruption, seed, batchSize, cancellationToken))
        {
            damaged.cpu().contiguous().data<float>().CopyTo(damagedImages, start * test.ImageSize);
            foreach (var (method, restored) in Restore(model, damaged, corruption))
            {
                ImageQuality.PsnrPerImage(restored, clean).to(ScalarType.Float64).cpu().data<double>().CopyTo(perImage[method], start);
                var (ssim, sse) = sums[method];
                sums[method] = (ssim + Ssim.PerImage(restored, clean).sum().item<double>(),
                    sse + (restored - clean).square().sum().to(ScalarType.Float64).item<double>());
            }
            start += n;
        }
        var pixels = (double)count * test.ImageSize;
        var scores = methods.Select(m => new MethodScore(m, count, perImage[m].Average(), sums[m].Ssim / count, Psnr.FromMse(sums[m].Sse / pixels))).ToArray();
        return new RestorationScores(scores, perImage, test.Labels[..count], damagedImages);
    }

    /// <summary>
    /// Rows for a picture of <paramref name="count"/> test images: damaged input, each baseline, the autoencoder, and
    /// the original (one row each, in <see cref="MethodsFor"/> order, then the original); 784 values per image.
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
        return [.. Restore(model, damaged, corruption).Select(r => Evaluator.Rows(r.Restored)), Evaluator.Rows(clean)];
    }

    /// <summary>The row labels of <see cref="Samples"/>'s picture: the methods, then "original".</summary>
    public static IReadOnlyList<string> SampleLabels(ICorruption corruption) => [.. MethodsFor(corruption), "original"];

    /// <summary>
    /// The picture of <see cref="Samples"/> as a PNG, each row labelled with its method (the first 10 test images with the
    /// same damage as the scores: rows damaged, the baselines, autoencoder, original).
    /// </summary>
    public static byte[] SamplesPng(ConvAutoencoder model, DataSet test, ICorruption corruption, int count = 10, int seed = 1234) =>
        ImageGrid.ToLabelledPng(Samples(model, test, corruption, count, seed), SampleLabels(corruption));

    /// <summary>
    /// The worst restored images as a labelled PNG: the damaged input exactly as scored, the best baseline, the
    /// autoencoder, the original; under each column its class and the autoencoder's PSNR.
    /// </summary>
    public static byte[] WorstPng(ConvAutoencoder model, DataSet test, ICorruption corruption, RestorationScores scores, IReadOnlyList<WorstImage> worst)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(worst);
        if (worst.Count == 0) throw new ArgumentException("Name at least one image.", nameof(worst));
        using var scope = NewDisposeScope();
        var size = test.ImageSize;
        var pixels = worst.SelectMany(w => scores.Damaged.AsSpan(w.Index * size, size).ToArray()).ToArray();
        var damaged = tensor(pixels, [worst.Count, test.Rows, test.Columns, 1]).to(model.weights["conv1"].device);
        var clean = Evaluator.Pick(test, worst.Count, [.. worst.Select(w => w.Index)], out _);
        using var noGrad = inference_mode();
        var best = scores.BestBaseline;
        var restored = Restore(model, damaged, corruption).ToDictionary(r => r.Method, r => r.Restored);
        IReadOnlyList<IReadOnlyList<float[]>> rows =
            [Evaluator.Rows(damaged), Evaluator.Rows(restored[best]), Evaluator.Rows(restored[AutoencoderMethod]), Evaluator.Rows(clean)];
        var captions = worst.Select(w => $"{Short(w.Class)} {w.AutoencoderPsnr:0.0}").ToArray();
        return ImageGrid.ToLabelledPng(rows, [CorruptedMethod, best, AutoencoderMethod, "original"], captions);
    }

    /// <summary>
    /// Where a collection of trained models (e.g. the one <c>results</c> keeps) holds the model of
    /// <paramref name="dataset"/> (any of <see cref="KnownDatasets.Names"/>) and <paramref name="corruption"/>:
    /// <c>folder/dataset/corruption/autoencoder.weights</c>, with ':' written '-' (e.g. <c>mnist/mosaic-4</c>).
    /// </summary>
    public static string SavedModelPath(string folder, string dataset, ICorruption corruption)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(corruption);
        return Path.Combine(folder, KnownDatasets.Canonical(dataset), FileStem(corruption.Spec), Checkpoint.DefaultFileName);
    }

    /// <summary>A corruption's spec (<see cref="ICorruption.Spec"/>) as a file name: ':' written '-' (e.g. <c>mosaic-2+gaussian-0.3</c>).</summary>
    public static string FileStem(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Replace(':', '-');
    }

    private static string Short(string name) => name.Length <= 5 ? name : name[..5];

    /// <summary>
    /// Trains a fresh autoencoder (<paramref name="options"/>, with its corruption set to <paramref name="corruption"/>)
    /// on <paramref name="data"/>'s training images, saves it to <paramref name="saveTo"/> when given (a resumable
    /// checkpoint), then scores it beside the baselines on the test images.
    /// </summary>
    public static (CorruptionResult Result, ConvAutoencoder Model) TrainAndScore(
        string dataset, DataSets data, ICorruption corruption, TrainingOptions options, int? evalSize = null,
        Action<TrainingStep>? onStep = null, CancellationToken cancellationToken = default, string? saveTo = null,
        IReadOnlyList<string>? classNames = null)
    {
        var (result, model, _) = TrainAndScoreInDetail(dataset, data, corruption, options, evalSize, onStep, cancellationToken, saveTo, classNames);
        return (result, model);
    }

    /// <summary><see cref="TrainAndScore"/>, also returning the detailed scores the pictures need.</summary>
    public static (CorruptionResult Result, ConvAutoencoder Model, RestorationScores Scores) TrainAndScoreInDetail(
        string dataset, DataSets data, ICorruption corruption, TrainingOptions options, int? evalSize = null,
        Action<TrainingStep>? onStep = null, CancellationToken cancellationToken = default, string? saveTo = null,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(corruption);
        ArgumentNullException.ThrowIfNull(options);
        options = options with { Corruption = corruption.Spec };
        var model = options.CreateModel();
        try
        {
            TrainingResult training;
            using (var trainer = new Trainer(model, options))
            {
                training = trainer.Train(data.Train, onStep, cancellationToken);
                cancellationToken.ThrowIfCancellationRequested();
                if (saveTo is not null) trainer.SaveCheckpoint(saveTo);
            }
            var scores = ScoreInDetail(model, data.Test, corruption, limit: evalSize, cancellationToken: cancellationToken);
            var result = Result(dataset, corruption, scores, classNames, training.StepLosses.Count,
                training.EpochLosses.Count > 0 ? training.EpochLosses[^1] : double.NaN, training.Elapsed.TotalSeconds);
            return (result, model, scores);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Scores a saved model (e.g. one that <c>results</c> kept) the way <see cref="TrainAndScore"/> scores a fresh one.</summary>
    public static (CorruptionResult Result, RestorationScores Scores) ScoreSaved(
        string dataset, ConvAutoencoder model, DataSet test, ICorruption corruption, int? evalSize = null,
        IReadOnlyList<string>? classNames = null, CancellationToken cancellationToken = default)
    {
        var scores = ScoreInDetail(model, test, corruption, limit: evalSize, cancellationToken: cancellationToken);
        return (Result(dataset, corruption, scores, classNames, 0, double.NaN, 0), scores);
    }

    // One result group from detailed scores, with the per-class view and the worst images (classes default to the digits).
    private static CorruptionResult Result(string dataset, ICorruption corruption, RestorationScores scores, IReadOnlyList<string>? classNames,
        int steps, double finalEpochLoss, double trainSeconds)
    {
        classNames ??= DatasetSpec.Mnist.ClassNames;
        return new CorruptionResult(dataset, corruption.Spec, steps, finalEpochLoss, trainSeconds, scores.Scores)
        {
            PerClass = scores.PerClass(classNames),
            Worst = scores.Worst(classNames),
        };
    }

    private static IEnumerable<(string Method, Tensor Restored)> Restore(ConvAutoencoder model, Tensor damaged, ICorruption corruption)
    {
        yield return (CorruptedMethod, damaged);
        yield return (MedianMethod, Baselines.Median3x3(damaged));
        yield return (BlurMethod, Baselines.GaussianBlur(damaged));
        if (MosaicBlock(corruption) is { } block)
            yield return (BicubicMethod, Baselines.BicubicFromBlocks(damaged, block));
        yield return (AutoencoderMethod, model.Reconstruct(damaged));
    }
}
