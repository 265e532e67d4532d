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
        Suggestions = Suggest(options);
    }

    /// <summary>The loss that was not finite.</summary>
    public double Loss { get; }

    /// <summary>1-based epoch of the failed step.</summary>
    public int Epoch { get; }

    /// <summary>1-based step (within the epoch) that failed.</summary>
    public int Step { get; }

    /// <summary>Steps of the run that finished with a finite loss; the model holds their weights.</summary>
    public int GoodSteps { get; }

    /// <summary>
    /// The settings to change, as a <see cref="TrainingOptions"/> property and the value to try (the message says why):
    /// a tenth of a learning rate above the tutorial's, <see cref="Model.WeightInit.Default"/> for the post's init.
    /// Empty when neither applies (then the data is as likely a cause as the learning rate).
    /// </summary>
    public IReadOnlyList<(string Property, object Value)> Suggestions { get; }

    private static List<(string Property, object Value)> Suggest(TrainingOptions options)
    {
        var changes = new List<(string, object)>();
        if (options.LearningRate > 0.001) changes.Add((nameof(TrainingOptions.LearningRate), options.LearningRate / 10));
        if (options.Init == Model.WeightInit.Tutorial) changes.Add((nameof(TrainingOptions.Init), Model.WeightInit.Default));
        return changes;
    }

    private static string BuildMessage(double loss, int epoch, int step, int goodSteps, TrainingOptions options)
    {
        var advice = new List<string>();
        foreach (var (property, value) in Suggest(options))
            advice.Add(property == nameof(TrainingOptions.LearningRate)
                ? string.Create(CultureInfo.InvariantCulture, $"lower the learning rate (now {options.LearningRate}; the tutorial uses 0.001, try {value})")
                : "use the default initialisation (WeightInit.Default): the post's normal(0,1) weights make the first logits huge");
        if (advice.Count == 0)
            advice.Add(string.Create(CultureInfo.InvariantCulture,
                $"lower the learning rate (now {options.LearningRate}) or check the training images for NaN or infinite values"));
        var kept = goodSteps == 0 ? "no step had finished, so the model keeps its initial weights" : $"the model keeps the weights of the last good step ({goodSteps})";
        return string.Create(CultureInfo.InvariantCulture,
            $"Training stopped: the loss became {loss} at epoch {epoch}, step {step}; {kept}. To train, {string.Join(", or ", advice)}.");
    }
}
