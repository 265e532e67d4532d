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
    /// Arithmetic of the training step: <see cref="Precision.Float32"/> (default) or <see cref="Precision.BFloat16"/>
    /// mixed precision (float32 master weights and loss), for CPUs with bf16 instructions.
    /// </summary>
    public Precision Precision { get; init; } = Precision.Float32;

    /// <summary>
    /// Which implementation of the network computes the step: <see cref="GraphForm.Fast"/> (default; the same function
    /// with about half the arithmetic) or <see cref="GraphForm.Literal"/> (the tutorial's ops one for one). Checkpoints
    /// of either load into both.
    /// </summary>
    public GraphForm Graph { get; init; } = GraphForm.Fast;

    /// <summary>How the learning rate changes over the run (the post: <see cref="LearningRateSchedule.Constant"/>).</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>What the step minimises (the post: <see cref="ReconstructionLoss.CrossEntropy"/>).</summary>
    public ReconstructionLoss Loss { get; init; } = ReconstructionLoss.CrossEntropy;

    /// <summary>
    /// The damage done to training inputs, as a spec for <see cref="Corruptions.Parse"/> (e.g. <c>mosaic:4</c>,
    /// <c>gaussian:0.5+saltpepper:0.05</c>); null (the default) is the tutorial's <c>gaussian:</c><see cref="NoiseFactor"/>.
    /// </summary>
    public string? Corruption { get; init; }

    /// <summary>The corruption training uses: <see cref="Corruption"/> parsed, or Gaussian noise of <see cref="NoiseFactor"/> when it is null.</summary>
    /// <exception cref="FormatException"><see cref="Corruption"/> is not a valid spec; the message lists the valid ones.</exception>
    public ICorruption ResolveCorruption() => Corruptions.Resolve(Corruption, NoiseFactor);

    /// <summary>
    /// The best settings found for this network within the tutorial's budget (2 epochs of 55,000 images) by the sweep in
    /// docs/recipe.md: batch 32 (6.25× the updates), one-cycle up to 0.003, the tutorial's loss and the default init;
    /// everything else (epochs, corruption, seed, precision, graph) is kept from <paramref name="options"/>.
    /// </summary>
    public static TrainingOptions BestRecipe(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            BatchSize = 32,
            LearningRate = 0.003,
            Init = WeightInit.Default,
            Schedule = LearningRateSchedule.OneCycle,
            Loss = ReconstructionLoss.CrossEntropy,
        };
    }

    /// <summary>A fresh autoencoder initialised with <see cref="Init"/> and <see cref="Seed"/>.</summary>
    public ConvAutoencoder CreateModel() => new(Init, Seed) { Form = Graph };

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the first value that makes no sense (its
    /// <see cref="ArgumentException.ParamName"/> is the property) and the valid range, before any work starts: the
    /// problem <see cref="FindProblem"/> finds, as <see cref="OptionProblem.ToException"/>.
    /// </summary>
    public void Validate(int? trainExamples = null)
    {
        if (FindProblem(trainExamples) is { } problem)
            throw problem.ToException();
    }

    /// <summary>
    /// The first value that makes no sense, with the valid range (<see cref="TrainingLimits"/>), or null when every value
    /// is valid. With <paramref name="trainExamples"/>, also checks that a batch fits in the training set.
    /// </summary>
    public OptionProblem? FindProblem(int? trainExamples = null) =>
        OutOfRange(Epochs, TrainingLimits.Epochs, nameof(Epochs))
        ?? OutOfRange(BatchSize, TrainingLimits.BatchSize, nameof(BatchSize))
        ?? OutOfRange(LearningRate, TrainingLimits.LearningRate, nameof(LearningRate))
        ?? OutOfRange(NoiseFactor, TrainingLimits.NoiseFactor, nameof(NoiseFactor))
        ?? Undefined(Init, nameof(Init))
        ?? (Threads is { } threads ? OutOfRange(threads, TrainingLimits.Threads, nameof(Threads)) : null)
        ?? (TrainSize is { } size ? OutOfRange(size, TrainingLimits.TrainSize, nameof(TrainSize)) : null)
        ?? CorruptionProblem()
        ?? Undefined(Graph, nameof(Graph))
        ?? Undefined(Schedule, nameof(Schedule))
        ?? Undefined(Loss, nameof(Loss))
        ?? Undefined(Precision, nameof(Precision))
        ?? (ComputeDevice.IsValidName(Device) ? null : new OptionProblem(nameof(Device), Device, "use cpu, cuda or cuda:<index>."))
        ?? BatchLargerThan(trainExamples);

    private static OptionProblem? OutOfRange<T>(T value, ValueRange<T> range, string name) where T : IComparable<T> =>
        range.Contains(value) ? null : new OptionProblem(name, value, $"use {range} ({range.Hint}).");

    private static OptionProblem? Undefined<T>(T value, string name) where T : struct, Enum =>
        Enum.IsDefined(value) ? null : new OptionProblem(name, value, $"use {string.Join(", ", Enum.GetNames<T>()[..^1])} or {Enum.GetNames<T>()[^1]}.");

    private OptionProblem? CorruptionProblem()
    {
        if (Corruption is null) return null;
        try { Corruptions.Parse(Corruption); }
        catch (FormatException e) { return new OptionProblem(nameof(Corruption), Corruption, e.Message); }
        return null;
    }

    private OptionProblem? BatchLargerThan(int? trainExamples)
    {
        var available = trainExamples is { } n ? Math.Min(n, TrainSize ?? n) : int.MaxValue;
        return BatchSize <= available ? null
            : new OptionProblem(nameof(BatchSize), BatchSize, $"the training set has only {available} images; use 1 to {available}.");
    }
}
