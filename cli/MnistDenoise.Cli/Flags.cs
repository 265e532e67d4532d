using MnistDenoise.Training;

namespace MnistDenoise.Cli;

/// <summary>
/// The command line's flags for the library's settings, and the table from a <see cref="TrainingOptions"/> property to
/// its flag, so that a problem the library reports by property (<see cref="OptionProblem"/>) is worded with the flag.
/// </summary>
internal static class Flags
{
    public const string Epochs = "--epochs", BatchSize = "--batch-size", LearningRate = "--learning-rate", Noise = "--noise",
        Init = "--init", Seed = "--seed", Threads = "--threads", Device = "--device", TrainSize = "--train-size",
        Corruption = "--corruption", Precision = "--precision", Graph = "--graph", Schedule = "--schedule", Loss = "--loss";

    /// <summary>The flag that sets <paramref name="property"/> of <see cref="TrainingOptions"/>; the property's own name when none does.</summary>
    public static string Of(string property) => property switch
    {
        nameof(TrainingOptions.Epochs) => Epochs,
        nameof(TrainingOptions.BatchSize) => BatchSize,
        nameof(TrainingOptions.LearningRate) => LearningRate,
        nameof(TrainingOptions.NoiseFactor) => Noise,
        nameof(TrainingOptions.Init) => Init,
        nameof(TrainingOptions.Seed) => Seed,
        nameof(TrainingOptions.Threads) => Threads,
        nameof(TrainingOptions.Device) => Device,
        nameof(TrainingOptions.TrainSize) => TrainSize,
        nameof(TrainingOptions.Corruption) => Corruption,
        nameof(TrainingOptions.Precision) => Precision,
        nameof(TrainingOptions.Graph) => Graph,
        nameof(TrainingOptions.Schedule) => Schedule,
        nameof(TrainingOptions.Loss) => Loss,
        _ => property,
    };

    /// <summary>The library's problem worded for the command line: "--batch-size = 200 is out of range: …".</summary>
    public static string Describe(OptionProblem problem) => problem.Describe(Of(problem.Property));
}
