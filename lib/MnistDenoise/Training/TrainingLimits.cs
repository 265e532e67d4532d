using System.Globalization;

namespace MnistDenoise.Training;

/// <summary>An inclusive range of valid values for one setting, with a hint for messages.</summary>
/// <param name="Min">Smallest valid value.</param>
/// <param name="Max">Largest valid value.</param>
/// <param name="Hint">What the tutorial uses or what the value means, for error messages.</param>
public sealed record ValueRange<T>(T Min, T Max, string Hint) where T : IComparable<T>
{
    /// <summary>Whether <paramref name="value"/> lies in [Min, Max] (NaN never does).</summary>
    public bool Contains(T value) => !IsNaN(value) && value.CompareTo(Min) >= 0 && value.CompareTo(Max) <= 0;

    /// <summary>"Min to Max", in invariant culture.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Min} to {Max}");

    private static bool IsNaN(T value) => value is double d && double.IsNaN(d);
}

/// <summary>
/// The valid range of every hyperparameter: the one source that <see cref="TrainingOptions.Validate"/> and every
/// front end's own checks use, so each says the same thing about the same value.
/// </summary>
public static class TrainingLimits
{
    /// <summary>Passes over the training set.</summary>
    public static ValueRange<int> Epochs { get; } = new(1, 1000, "the tutorial uses 2");

    /// <summary>Images per step (at most MNIST's 60,000 training images).</summary>
    public static ValueRange<int> BatchSize { get; } = new(1, 60_000, "the tutorial uses 200");

    /// <summary>Adam's learning rate.</summary>
    public static ValueRange<double> LearningRate { get; } = new(1e-7, 1.0, "the tutorial uses 0.001");

    /// <summary>Standard deviation of the Gaussian noise.</summary>
    public static ValueRange<double> NoiseFactor { get; } = new(0.0, 10.0, "the tutorial uses 0.5");

    /// <summary>
    /// Torch intra-op threads: up to 4 per core of this machine (more only makes every thread wait for the others:
    /// 1024 threads on 2 cores made a 0.5 s step take 88 s), and never more than <see cref="MaxThreads"/>.
    /// </summary>
    public static ValueRange<int> Threads { get; } = new(1, Math.Min(MaxThreads, ThreadsPerCore * Environment.ProcessorCount),
        $"this machine has {Environment.ProcessorCount} core(s); leave it unset for TorchSharp's default, the number of cores");

    /// <summary>How many threads per core <see cref="Threads"/> allows at most.</summary>
    public const int ThreadsPerCore = 4;

    /// <summary>The most threads any machine is allowed (what a checkpoint from a bigger machine may record).</summary>
    public const int MaxThreads = 1024;

    /// <summary>Training images used.</summary>
    public static ValueRange<int> TrainSize { get; } = new(1, 60_000, "leave it unset for all images");
}
