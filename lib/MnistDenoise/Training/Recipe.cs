using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MnistDenoise.Training;

/// <summary>How the learning rate changes over a run; every schedule peaks at <see cref="TrainingOptions.LearningRate"/>.</summary>
public enum LearningRateSchedule
{
    /// <summary>The tutorial's: the same rate at every step.</summary>
    Constant,

    /// <summary>Linear warm-up from 0 over the first 5% of the steps, then a cosine decay to 0 at the last step.</summary>
    WarmupCosine,

    /// <summary>
    /// Smith's one-cycle, as PyTorch's <c>OneCycleLR</c> defaults: a cosine rise from rate/25 to the rate over the first 30%
    /// of the steps, then a cosine fall to rate/25/10⁴.
    /// </summary>
    OneCycle,
}

/// <summary>What the training step minimises between the reconstruction and the clean image.</summary>
public enum ReconstructionLoss
{
    /// <summary>The tutorial's: mean sigmoid cross-entropy of the logits against the clean pixels.</summary>
    CrossEntropy,

    /// <summary>Mean squared error of sigmoid(logits) against the clean pixels: exactly what PSNR scores.</summary>
    MeanSquared,

    /// <summary>Mean absolute error of sigmoid(logits) against the clean pixels.</summary>
    Absolute,
}

/// <summary>The schedules' and losses' arithmetic, shared by the trainer, the tests and the notebooks.</summary>
public static class Recipe
{
    /// <summary>The fraction of the steps that <see cref="LearningRateSchedule.WarmupCosine"/> warms up over.</summary>
    public const double WarmupFraction = 0.05;

    /// <summary>The fraction of the steps that <see cref="LearningRateSchedule.OneCycle"/> rises over.</summary>
    public const double OneCycleRise = 0.3;

    /// <summary>
    /// The learning rate at <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>, as a fraction of the
    /// peak rate: 1 at every step for <see cref="LearningRateSchedule.Constant"/>.
    /// </summary>
    public static double Factor(LearningRateSchedule schedule, int step, int totalSteps)
    {
        if (totalSteps < 1 || step < 0 || step >= totalSteps)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Step {step} is not one of the run's {totalSteps} steps.");
        static double Cosine(double from, double to, double t) => to + (from - to) * (1 + Math.Cos(Math.PI * t)) / 2;
        switch (schedule)
        {
            case LearningRateSchedule.Constant:
                return 1;
            case LearningRateSchedule.WarmupCosine:
                {
                    var warmup = Math.Max(1, (int)Math.Round(WarmupFraction * totalSteps));
                    if (step < warmup) return (step + 1.0) / warmup;
                    var rest = totalSteps - warmup;
                    return rest <= 1 ? 1 : Cosine(1, 0, (double)(step - warmup) / (rest - 1));
                }
            case LearningRateSchedule.OneCycle:
                {
                    const double start = 1 / 25.0, end = start / 1e4;
                    var rise = OneCycleRise * totalSteps - 1;
                    if (step <= rise) return rise <= 0 ? 1 : Cosine(start, 1, step / rise);
                    var fall = totalSteps - 1 - rise;
                    return Cosine(1, end, (step - rise) / fall);
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Use Constant, WarmupCosine or OneCycle.");
        }
    }

    /// <summary>The loss of <paramref name="logits"/> (before the sigmoid) against the clean images <paramref name="clean"/>.</summary>
    public static Tensor Loss(ReconstructionLoss loss, Tensor logits, Tensor clean) => loss switch
    {
        ReconstructionLoss.CrossEntropy => Model.Ops.cost(logits, clean),
        ReconstructionLoss.MeanSquared => F.mse_loss(sigmoid(logits), clean),
        ReconstructionLoss.Absolute => F.l1_loss(sigmoid(logits), clean),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Use CrossEntropy, MeanSquared or Absolute."),
    };
}
