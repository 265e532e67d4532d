using MnistDenoise.Data;

namespace MnistDenoise.Training;

/// <summary>
/// Times the library's own training path (<see cref="Trainer"/>, as the command line and the notebooks use it),
/// so that the benchmark can run the very same code in a console process and in a notebook kernel.
/// </summary>
public static class StepTimer
{
    /// <summary>
    /// Trains a fresh model made from <paramref name="options"/> for <paramref name="warmup"/> + <paramref name="steps"/>
    /// steps on the first images of <paramref name="train"/>, and returns the duration of each of the last
    /// <paramref name="steps"/> steps in milliseconds.
    /// </summary>
    public static double[] TrainerSteps(DataSet train, TrainingOptions options, int warmup, int steps)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        var run = options with { Epochs = 1, TrainSize = (warmup + steps) * options.BatchSize };
        using var model = run.CreateModel();
        using var trainer = new Trainer(model, run);
        var times = new List<double>(steps);
        var last = TimeSpan.Zero;
        trainer.Train(train, step =>
        {
            if (step.GlobalStep > warmup) times.Add((step.Elapsed - last).TotalMilliseconds);
            last = step.Elapsed;
        });
        return [.. times];
    }
}
