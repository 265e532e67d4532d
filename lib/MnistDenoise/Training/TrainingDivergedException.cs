using System.Globalization;

namespace MnistDenoise.Training;

/// <summary>
/// The training loss became NaN or infinite. Nothing of that step was applied: the model, Adam's state and the
/// trainer's position are those of the last good step. The message says what to change.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>Creates the exception for a non-finite <paramref name="loss"/> at <paramref name="epoch"/>/<paramref name="step"/>.</summary>
    public TrainingDivergedException(double loss, int epoch, int step, int goodSteps, TrainingOptions options)
        : base(BuildMessage(loss, epoch, step, goodSteps, options))
    {
        (Loss, Epoch, Step, GoodSteps) = (loss, epoch, step, goodSteps);
    }

    /// <summary>The loss that was not finite.</summary>
    public double Loss { get; }

    /// <summary>1-based epoch of the failed step.</summary>
    public int Epoch { get; }

    /// <summary>1-based step (within the epoch) that failed.</summary>
    public int Step { get; }

    /// <summary>Steps of the run that finished with a finite loss; the model holds their weights.</summary>
    public int GoodSteps { get; }

    private static string BuildMessage(double loss, int epoch, int step, int goodSteps, TrainingOptions options)
    {
        var advice = new List<string>();
        if (options.LearningRate > 0.001)
            advice.Add(string.Create(CultureInfo.InvariantCulture,
                $"lower the learning rate (now {options.LearningRate}; the tutorial uses 0.001, try {options.LearningRate / 10})"));
        if (options.Init == Model.WeightInit.Tutorial)
            advice.Add("use the default initialisation (--init default, WeightInit.Default): the post's normal(0,1) weights make the first logits huge");
        if (advice.Count == 0)
            advice.Add(string.Create(CultureInfo.InvariantCulture,
                $"lower the learning rate (now {options.LearningRate}) or check the training images for NaN or infinite values"));
        var kept = goodSteps == 0 ? "no step had finished, so the model keeps its initial weights" : $"the model keeps the weights of the last good step ({goodSteps})";
        return string.Create(CultureInfo.InvariantCulture,
            $"Training stopped: the loss became {loss} at epoch {epoch}, step {step}; {kept}. To train, {string.Join(", or ", advice)}.");
    }
}
