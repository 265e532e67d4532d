namespace MnistDenoise.Training;

/// <summary>What <see cref="Trainer.SaveCheckpoint"/> stores besides the weights: Adam's state and the noise generator's.</summary>
internal sealed record SavedTrainingState(CheckpointInfo Info, byte[] Optimizer, byte[] NoiseGenerator);

/// <summary>
/// The run a checkpoint came from (all null/0 for a weights-only file). A resumed run must match its options except
/// <see cref="TrainingOptions.Epochs"/> (it may train longer), <see cref="TrainingOptions.Threads"/> and
/// <see cref="TrainingOptions.Device"/>.
/// </summary>
public sealed record CheckpointInfo
{
    /// <summary>The options of the run, or null for a weights-only file.</summary>
    public TrainingOptions? Options { get; init; }

    /// <summary>Steps finished in the run (epochs × steps per epoch when it completed).</summary>
    public int CompletedSteps { get; init; }

    /// <summary>Steps in one epoch of the run (training images // batch size).</summary>
    public int StepsPerEpoch { get; init; }

    /// <summary>Batches drawn from the run's shuffled view of the training set (to rebuild its order).</summary>
    public long BatchesDrawn { get; init; }

    /// <summary>Training images the run used.</summary>
    public int TrainExamples { get; init; }

    /// <summary>SHA-256 of those images' labels, to recognise the same training set.</summary>
    public string? TrainLabelsSha256 { get; init; }

    /// <summary>Loss of every finished step of the run, in order.</summary>
    public IReadOnlyList<double> StepLosses { get; init; } = [];

    /// <summary>Torch intra-op threads of the run (resuming with another count gives close, not bitwise equal, weights).</summary>
    public int Threads { get; init; }

    /// <summary>Whether the file can be resumed from (it carries the training state).</summary>
    public bool HasTrainingState => Options is not null;

    /// <summary>1-based epoch and step of the last finished step (0, 0 before the first).</summary>
    public (int Epoch, int Step) Position => CompletedSteps == 0 || StepsPerEpoch == 0
        ? (0, 0) : ((CompletedSteps - 1) / StepsPerEpoch + 1, (CompletedSteps - 1) % StepsPerEpoch + 1);
}
