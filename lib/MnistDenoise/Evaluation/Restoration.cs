using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Model;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Evaluation;

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
        ConvAutoencoder model, DataSet test, ICorruption corruption, int seed = TestDamage.Seed, int? limit = null, int batchSize = Scorer.DefaultBatchSize,
        CancellationToken cancellationToken = default) =>
        ScoreInDetail(model, test, corruption, seed, limit, batchSize, cancellationToken).Scores;

    /// <summary><see cref="Score"/>, keeping each image's PSNR per method, the labels and the damaged images.</summary>
    public static RestorationScores ScoreInDetail(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int seed = TestDamage.Seed, int? limit = null, int batchSize = Scorer.DefaultBatchSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(corruption);
        model.eval();
        return Scorer.Score(test, corruption, Restorers(model, corruption), model.weights["conv1"].device, seed, limit, batchSize, cancellationToken);
    }

    /// <summary>
    /// Rows for a picture of <paramref name="count"/> test images: damaged input, each baseline, the autoencoder, and
    /// the original (one row each, in <see cref="MethodsFor"/> order, then the original); 784 values per image.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<float[]>> Samples(
        ConvAutoencoder model, DataSet test, ICorruption corruption, int count = 10, int seed = TestDamage.Seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(corruption);
        using var scope = NewDisposeScope();
        var clean = TestImages.Pick(test, count, null, out _).to(model.weights["conv1"].device);
        using var generator = new Generator((ulong)seed);
        var damaged = corruption.Apply(clean, generator);
        using var noGrad = inference_mode();
        return [.. Restore(model, damaged, corruption).Select(r => TestImages.Rows(r.Restored)), TestImages.Rows(clean)];
    }

    /// <summary>The row labels of <see cref="Samples"/>'s picture: the methods, then "original".</summary>
    public static IReadOnlyList<string> SampleLabels(ICorruption corruption) => [.. MethodsFor(corruption), "original"];

    /// <summary>
    /// The picture of <see cref="Samples"/> as a PNG, each row labelled with its method (the first 10 test images with the
    /// same damage as the scores: rows damaged, the baselines, autoencoder, original).
    /// </summary>
    public static byte[] SamplesPng(ConvAutoencoder model, DataSet test, ICorruption corruption, int count = 10, int seed = TestDamage.Seed) =>
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
        var clean = TestImages.Pick(test, worst.Count, [.. worst.Select(w => w.Index)], out _);
        using var noGrad = inference_mode();
        var best = scores.BestBaseline;
        var restored = Restore(model, damaged, corruption).ToDictionary(r => r.Method, r => r.Restored);
        IReadOnlyList<IReadOnlyList<float[]>> rows =
            [TestImages.Rows(damaged), TestImages.Rows(restored[best]), TestImages.Rows(restored[AutoencoderMethod]), TestImages.Rows(clean)];
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

    /// <summary>The methods of <see cref="MethodsFor"/> as restorers, in table order.</summary>
    public static IReadOnlyList<Restorer> Restorers(ConvAutoencoder model, ICorruption corruption)
    {
        ArgumentNullException.ThrowIfNull(model);
        var restorers = new List<Restorer>
        {
            new(CorruptedMethod, damaged => damaged),
            new(MedianMethod, Baselines.Median3x3),
            new(BlurMethod, damaged => Baselines.GaussianBlur(damaged)),
        };
        if (MosaicBlock(corruption) is { } block)
            restorers.Add(new(BicubicMethod, damaged => Baselines.BicubicFromBlocks(damaged, block)));
        restorers.Add(new(AutoencoderMethod, model.Reconstruct));
        return restorers;
    }

    private static IEnumerable<(string Method, Tensor Restored)> Restore(ConvAutoencoder model, Tensor damaged, ICorruption corruption) =>
        Restorers(model, corruption).Select(r => (r.Name, r.Restore(damaged)));
}
