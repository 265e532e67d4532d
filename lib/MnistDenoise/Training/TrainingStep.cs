namespace MnistDenoise.Training;

/// <summary>What a progress callback learns after every optimisation step.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in an epoch (training images // batch size, as the post).</param>
/// <param name="Loss">This batch's training loss (the post's "Trianing loss").</param>
/// <param name="Elapsed">Time since training started.</param>
public sealed record TrainingStep(int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, TimeSpan Elapsed)
{
    /// <summary>1-based step counted over all epochs.</summary>
    public int GlobalStep => (Epoch - 1) * StepsPerEpoch + Step;

    /// <summary>Steps in the whole run.</summary>
    public int TotalSteps => Epochs * StepsPerEpoch;

    /// <summary>Remaining time, extrapolated from the mean step time so far.</summary>
    public TimeSpan Remaining => Elapsed / GlobalStep * (TotalSteps - GlobalStep);

    /// <summary>The post's log line, typo included: <c>Epoch: 1/2 Trianing loss: 0.1234</c>.</summary>
    public string TutorialLine => $"Epoch: {Epoch}/{Epochs} Trianing loss: {Loss.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)}";
}
