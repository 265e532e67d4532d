namespace MnistDenoise.Training;

/// <summary>What a training run did.</summary>
/// <param name="StepLosses">Loss of every step, in order.</param>
/// <param name="EpochLosses">Mean step loss of each completed (or, if cancelled, started) epoch.</param>
/// <param name="Elapsed">Wall time of the training loop.</param>
/// <param name="Cancelled">True when a cancellation stopped training early; the model holds the last step's weights.</param>
public sealed record TrainingResult(IReadOnlyList<double> StepLosses, IReadOnlyList<double> EpochLosses, TimeSpan Elapsed, bool Cancelled)
{
    /// <summary>Mean wall time of one step in milliseconds.</summary>
    public double MillisecondsPerStep => StepLosses.Count == 0 ? 0 : Elapsed.TotalMilliseconds / StepLosses.Count;
}
