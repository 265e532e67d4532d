using System.Diagnostics;
using MnistDenoise.Corruption;
using MnistDenoise.Evaluation;
using MnistDenoise.Model;
using MnistDenoise.Training;

namespace MnistDenoise.Tests.Training;

public class TrainerTests
{
    // Small but real: 600 MNIST images, batch 20, 3 epochs (90 steps), scored on 500 test images.
    private static readonly TrainingOptions Quick = new() { TrainSize = 600, BatchSize = 20, Epochs = 3, Seed = 5 };

    [Fact]
    public void A_short_real_run_lowers_the_loss_and_beats_the_noisy_input()
    {
        using var model = Quick.CreateModel();
        using var trainer = new Trainer(model, Quick);
        var result = trainer.Train(SharedMnist.Train);

        Assert.Equal(90, result.StepLosses.Count);
        Assert.Equal(3, result.EpochLosses.Count);
        Assert.False(result.Cancelled);
        var first = result.StepLosses.Take(10).Average();
        var last = result.StepLosses.TakeLast(10).Average();
        Assert.True(last < 0.8 * first, $"loss fell only from {first:0.000} to {last:0.000}");

        var score = Evaluator.Evaluate(model, SharedMnist.Test, new Gaussian(0.5), limit: 500);
        Assert.True(score.ReconstructedPsnr > score.NoisyPsnr + 1,
            $"reconstructed {score.ReconstructedPsnr:0.00} dB vs noisy {score.NoisyPsnr:0.00} dB");
    }

    [Fact]
    public void The_same_seed_gives_the_same_loss_curve()
    {
        var options = Quick with { Epochs = 1, TrainSize = 100 };
        double[] Run()
        {
            using var model = options.CreateModel();
            using var trainer = new Trainer(model, options);
            return trainer.Train(SharedMnist.Train).StepLosses.ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void Every_step_is_reported_in_order_with_the_tutorials_line()
    {
        var options = Quick with { Epochs = 2, TrainSize = 60 };
        using var model = options.CreateModel();
        using var trainer = new Trainer(model, options);
        var steps = new List<TrainingStep>();
        var result = trainer.Train(SharedMnist.Train, steps.Add);

        Assert.Equal(Enumerable.Range(1, 6), steps.Select(s => s.GlobalStep));
        Assert.All(steps, s => Assert.Equal((2, 3, 6), (s.Epochs, s.StepsPerEpoch, s.TotalSteps)));
        Assert.Equal(result.StepLosses, steps.Select(s => s.Loss));
        Assert.Matches(@"^Epoch: 2/2 Trianing loss: \d\.\d{4}$", steps[^1].TutorialLine);
        Assert.True(steps[^1].Elapsed >= steps[0].Elapsed);
    }

    [Fact]
    public void Cancelling_stops_between_steps_and_leaves_a_usable_model()
    {
        var options = Quick with { Epochs = 1 };
        using var model = options.CreateModel();
        using var initial = model.weights["conv1"].clone();
        using var trainer = new Trainer(model, options);
        using var cancel = new CancellationTokenSource();

        var result = trainer.Train(SharedMnist.Train, step => { if (step.GlobalStep == 3) cancel.Cancel(); }, cancel.Token);

        Assert.True(result.Cancelled);
        Assert.Equal(3, result.StepLosses.Count);
        Assert.False(initial.allclose(model.weights["conv1"], rtol: 0, atol: 0));
        var score = Evaluator.Evaluate(model, SharedMnist.Test, new Gaussian(0.5), limit: 50);
        Assert.True(double.IsFinite(score.ReconstructedPsnr));
    }

    [Fact]
    public void Training_again_continues_with_new_batches()
    {
        var options = Quick with { Epochs = 1, TrainSize = 100 };
        using var model = options.CreateModel();
        using var trainer = new Trainer(model, options);
        var first = trainer.Train(SharedMnist.Train).StepLosses;
        var second = trainer.Train(SharedMnist.Train).StepLosses;
        Assert.Equal(first.Count, second.Count);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void The_tutorials_initialisation_starts_with_a_huge_loss()
    {
        var options = Quick with { Init = WeightInit.Tutorial, Epochs = 1, TrainSize = 40 };
        using var model = options.CreateModel();
        using var trainer = new Trainer(model, options);
        var losses = trainer.Train(SharedMnist.Train).StepLosses;
        Assert.True(losses[0] > 1000, $"first loss {losses[0]}");
    }
}

[Collection(SerialCollection.Name)]
public class TrainerMemoryTests
{
    [Fact]
    public void Memory_stays_flat_over_many_steps()
    {
        var options = new TrainingOptions { Epochs = 1, TrainSize = 2000, BatchSize = 20, Seed = 5 };
        using var model = options.CreateModel();
        using var trainer = new Trainer(model, options);
        var rss = new List<long>();
        trainer.Train(SharedMnist.Train, step =>
        {
            if (step.Step % 20 != 0) return;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            rss.Add(Process.GetCurrentProcess().WorkingSet64);
        });
        // After the first 40 steps have warmed the allocator, 60 more steps may not add more than 32 MB.
        var growth = rss[^1] - rss[1];
        Assert.True(growth < 32L << 20, $"resident memory grew by {growth >> 20} MB from step 40 to step 100");
    }
}
