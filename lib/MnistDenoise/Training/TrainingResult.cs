namespace MnistDenoise.Training;

/// <summary>What a training run did.</summary>
/// <param name="StepLosses">Loss of every step, in order.</param>
/// <param name="EpochLosses">Mean step loss of each completed (or, if cancelled, started) epoch.</param>
/// <param name="Elapsed">Wall time of the training loop.</param>
/// <param name="Cancelled">True when a cancellation stopped training early; the model holds the last step's weights.</param>
/// <param name="ResumedSteps">Steps of the run done before this call (by a cancelled call or a resumed checkpoint); they
/// are included in <paramref name="StepLosses"/> and <paramref name="EpochLosses"/>, not in <paramref name="Elapsed"/>.</param>
public sealed record TrainingResult(
    IReadOnlyList<double> StepLosses, IReadOnlyList<double> EpochLosses, TimeSpan Elapsed, bool Cancelled, int ResumedSteps = 0)
{
    /// <summary>Mean wall time of one step of this call in milliseconds.</summary>
    public double MillisecondsPerStep => StepLosses.Count <= ResumedSteps ? 0 : Elapsed.TotalMilliseconds / (StepLosses.Count - ResumedSteps);
}
