using static TorchSharp.torch;

namespace MnistDenoise.Training;

/// <summary>Checks a checkpoint's training state field by field before anything uses it.</summary>
internal static class TrainingStateCheck
{
    /// <summary>Most training images a saved batch position may stand for: 1000 epochs (the limit) of all 60,000 (replaying it takes about a second).</summary>
    private const long MaxImagesDrawn = 1000L * 60_000;

    private static readonly Lazy<int> GeneratorStateLength = new(() =>
    {
        using var generator = new Generator(1);
        using var state = generator.get_state();
        return (int)state.NumberOfElements;
    });

    // Every field of the training state, before anything uses it: a crafted file (with a recomputed checksum) must
    // be refused here, not crash libtorch (a bad generator state aborts the process), throw later or hang.
    public static void Check(SavedTrainingState state)
    {
        var info = state.Info;
        var options = info.Options ?? throw new InvalidDataException("its training state has no options");
        try
        {
            // The thread count is checked against the absolute limit below: the run may come from a bigger machine.
            (options with { Threads = null }).Validate();
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or FormatException)
        {
            throw new InvalidDataException($"its training options are invalid: {e.Message.Split(" (Parameter")[0]}");
        }
        void Require(bool ok, string problem) { if (!ok) throw new InvalidDataException($"its training state is invalid: {problem}"); }
        Require(options.Threads is null or >= 1 and <= TrainingLimits.MaxThreads, $"threads {options.Threads} (use 1 to {TrainingLimits.MaxThreads})");
        Require(info.Threads is >= 0 and <= TrainingLimits.MaxThreads, $"recorded threads {info.Threads} (use 0 to {TrainingLimits.MaxThreads})");
        Require(info.TrainExamples is >= 0 and <= 60_000, $"{info.TrainExamples} training images (at most 60,000)");
        Require(info.StepsPerEpoch >= 0 && info.StepsPerEpoch == (info.TrainExamples == 0 ? 0 : info.TrainExamples / options.BatchSize),
            $"{info.StepsPerEpoch} steps per epoch, but {info.TrainExamples} images in batches of {options.BatchSize} make {info.TrainExamples / Math.Max(1, options.BatchSize)}");
        Require(info.CompletedSteps >= 0 && (long)info.CompletedSteps <= (long)options.Epochs * info.StepsPerEpoch,
            $"{info.CompletedSteps} completed steps, outside 0 to {(long)options.Epochs * info.StepsPerEpoch} ({options.Epochs} epoch(s) of {info.StepsPerEpoch})");
        var maxBatches = MaxImagesDrawn / options.BatchSize;
        Require(info.BatchesDrawn >= info.CompletedSteps && info.BatchesDrawn <= maxBatches,
            $"batch position {info.BatchesDrawn}, outside {info.CompletedSteps} to {maxBatches}");
        Require(info.StepLosses is not null && info.StepLosses.Count == info.CompletedSteps,
            $"{info.StepLosses?.Count ?? 0} step losses for {info.CompletedSteps} completed steps");
        Require(info.StepLosses!.All(double.IsFinite), "a step loss is not a finite number");
        Require(info.TrainLabelsSha256 is null || (info.TrainLabelsSha256.Length == 64 && info.TrainLabelsSha256.All(Uri.IsHexDigit)),
            "the training labels' SHA-256 is not 64 hex digits");

        // The noise generator's state (libtorch's CPU mt19937 state): the length of a fresh one, and the three fields
        // libtorch checks itself (a failed check there aborts the process instead of throwing).
        var generator = state.NoiseGenerator;
        Require(generator.Length == GeneratorStateLength.Value,
            $"the noise generator's state has {generator.Length} bytes; this libtorch's has {GeneratorStateLength.Value}");
        if (generator.Length >= 24)
        {
            var left = BitConverter.ToInt32(generator, 8);
            var seeded = BitConverter.ToInt32(generator, 12);
            var next = BitConverter.ToUInt64(generator, 16);
            Require(left is >= 1 and <= 624 && seeded == 1 && next <= 624,
                $"the noise generator's state is not a valid mt19937 state (left {left}, seeded {seeded}, next {next})");
        }
    }
}
