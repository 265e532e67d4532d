using MnistDenoise.Corruption;
using MnistDenoise.Model;

namespace MnistDenoise.Training;

/// <summary>The tutorial's hyperparameters and the knobs the post leaves implicit. Defaults reproduce the post.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set (the post: 2).</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>Images per step (the post: 200).</summary>
    public int BatchSize { get; init; } = 200;

    /// <summary>Adam's learning rate (the post: 0.001).</summary>
    public double LearningRate { get; init; } = 0.001;

    /// <summary>Standard deviation of the Gaussian noise added to inputs (the post: 0.5).</summary>
    public double NoiseFactor { get; init; } = 0.5;

    /// <summary>Initial weights; see <see cref="WeightInit"/> for why the default differs from the post.</summary>
    public WeightInit Init { get; init; } = WeightInit.Default;

    /// <summary>Seed for initial weights, batch order and noise; the same seed gives the same loss curve on the CPU.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Intra-op threads for torch; null keeps TorchSharp's default (the number of cores).</summary>
    public int? Threads { get; init; }

    /// <summary>"cpu" (default) or "cuda".</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Use only the first N training images (null: all 55,000), for quick experiments.</summary>
    public int? TrainSize { get; init; }

    /// <summary>
    /// The damage done to training inputs, as a spec for <see cref="Corruptions.Parse"/> (e.g. <c>mosaic:4</c>,
    /// <c>gaussian:0.5+saltpepper:0.05</c>); null (the default) is the tutorial's <c>gaussian:</c><see cref="NoiseFactor"/>.
    /// </summary>
    public string? Corruption { get; init; }

    /// <summary>The corruption training uses: <see cref="Corruption"/> parsed, or Gaussian noise of <see cref="NoiseFactor"/> when it is null.</summary>
    /// <exception cref="FormatException"><see cref="Corruption"/> is not a valid spec; the message lists the valid ones.</exception>
    public ICorruption ResolveCorruption() => Corruption is null ? new Gaussian(NoiseFactor) : Corruptions.Parse(Corruption);

    /// <summary>A fresh autoencoder initialised with <see cref="Init"/> and <see cref="Seed"/>.</summary>
    public ConvAutoencoder CreateModel() => new(Init, Seed);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first value that makes no sense, and what would.</summary>
    public void Validate(int? trainExamples = null)
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"{name} = {value} is out of range: {expected}.");
        }
        Check(Epochs is >= 1 and <= 1000, nameof(Epochs), Epochs, "use 1 to 1000 (the tutorial uses 2)");
        Check(BatchSize is >= 1 and <= 60_000, nameof(BatchSize), BatchSize, "use 1 to 60000 (the tutorial uses 200)");
        Check(double.IsFinite(LearningRate) && LearningRate is > 0 and <= 1, nameof(LearningRate), LearningRate, "use a number in (0, 1] (the tutorial uses 0.001)");
        Check(double.IsFinite(NoiseFactor) && NoiseFactor is >= 0 and <= 10, nameof(NoiseFactor), NoiseFactor, "use 0 to 10 (the tutorial uses 0.5)");
        Check(Enum.IsDefined(Init), nameof(Init), Init, "use Default or Tutorial");
        Check(Threads is null or (>= 1 and <= 1024), nameof(Threads), Threads ?? 0, "use 1 or more, or leave it unset");
        Check(TrainSize is null or >= 1, nameof(TrainSize), TrainSize ?? 0, "use 1 or more, or leave it unset for all images");
        if (trainExamples is { } n)
        {
            var available = Math.Min(n, TrainSize ?? n);
            Check(BatchSize <= available, nameof(BatchSize), BatchSize, $"the training set has only {available} images");
        }
    }
}
