using MnistDenoise.Model;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Training;

public class RecipeTests
{
    [Fact]
    public void Constant_is_one_at_every_step()
    {
        Assert.All(Enumerable.Range(0, 550), s => Assert.Equal(1.0, Recipe.Factor(LearningRateSchedule.Constant, s, 550)));
    }

    [Fact]
    public void Warmup_cosine_rises_linearly_over_5_percent_then_falls_to_zero_at_the_last_step()
    {
        const int total = 1000;   // 50 warm-up steps
        var f = Enumerable.Range(0, total).Select(s => Recipe.Factor(LearningRateSchedule.WarmupCosine, s, total)).ToArray();
        Assert.Equal(1 / 50.0, f[0], 12);
        Assert.Equal(25 / 50.0, f[24], 12);
        Assert.Equal(1.0, f[49], 12);
        Assert.Equal(1.0, f[50], 12);
        Assert.Equal(0.0, f[^1], 12);
        Assert.Equal(0.5, f[50 + (total - 50 - 1) / 2], 2);
        Assert.True(f.Skip(50).Zip(f.Skip(51)).All(p => p.Second <= p.First), "falls monotonically after the warm-up");
    }

    [Fact]
    public void One_cycle_goes_from_a_25th_up_to_the_peak_at_30_percent_and_down_to_a_25th_of_ten_thousandth()
    {
        const int total = 1001;   // the rise ends at step 0.3·1001 − 1 = 299.3, as PyTorch's OneCycleLR computes it
        var f = Enumerable.Range(0, total).Select(s => Recipe.Factor(LearningRateSchedule.OneCycle, s, total)).ToArray();
        Assert.Equal(1 / 25.0, f[0], 12);
        Assert.Equal(1.0, f.Max(), 3);
        Assert.InRange(Array.IndexOf(f, f.Max()), 298, 300);
        Assert.Equal(1 / 25.0 / 1e4, f[^1], 12);
        Assert.True(f.Take(299).Zip(f.Skip(1).Take(298)).All(p => p.Second >= p.First), "rises monotonically");
    }

    [Fact]
    public void A_step_outside_the_run_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Recipe.Factor(LearningRateSchedule.OneCycle, 10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Recipe.Factor(LearningRateSchedule.Constant, -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => Recipe.Factor((LearningRateSchedule)7, 0, 10));
    }

    [Fact]
    public void Losses_are_cross_entropy_of_the_logits_and_squared_or_absolute_error_of_the_image()
    {
        using var logits = tensor(new[] { -2f, 0f, 1f, 3f }, [1, 2, 2, 1]);
        using var clean = tensor(new[] { 0f, 0.5f, 1f, 0.2f }, [1, 2, 2, 1]);
        var p = new[] { -2.0, 0, 1, 3 }.Select(x => 1 / (1 + Math.Exp(-x))).ToArray();
        var y = new[] { 0.0, 0.5, 1, 0.2 };
        var xent = p.Zip(y).Average(t => -(t.Second * Math.Log(t.First) + (1 - t.Second) * Math.Log(1 - t.First)));
        var mse = p.Zip(y).Average(t => (t.First - t.Second) * (t.First - t.Second));
        var l1 = p.Zip(y).Average(t => Math.Abs(t.First - t.Second));
        Assert.Equal(xent, Recipe.Loss(ReconstructionLoss.CrossEntropy, logits, clean).item<float>(), 5);
        Assert.Equal(mse, Recipe.Loss(ReconstructionLoss.MeanSquared, logits, clean).item<float>(), 6);
        Assert.Equal(l1, Recipe.Loss(ReconstructionLoss.Absolute, logits, clean).item<float>(), 6);
    }

    [Fact]
    public void The_trainer_follows_the_schedule_one_cycle_starts_25_times_smaller()
    {
        // Adam's first update moves every weight by about lr·√(1−β₂)/(1−β₁) whatever the gradient's size, so the
        // first step's largest change measures the learning rate the trainer used.
        double FirstStepChange(LearningRateSchedule schedule)
        {
            var options = new TrainingOptions { Epochs = 1, BatchSize = 20, TrainSize = 200, Threads = 2, Schedule = schedule };
            using var model = options.CreateModel();
            using var before = model.weights["conv1"].detach().clone();
            double change = double.NaN;
            using var trainer = new Trainer(model, options);
            trainer.Train(SharedMnist.Train, step =>
            {
                if (step.Step == 1) change = (model.weights["conv1"] - before).abs().max().item<float>();
            });
            return change;
        }
        var constant = FirstStepChange(LearningRateSchedule.Constant);
        var oneCycle = FirstStepChange(LearningRateSchedule.OneCycle);
        Assert.InRange(constant / oneCycle, 20, 30);
    }

    [Fact]
    public void The_best_recipe_changes_only_the_recipe_settings()
    {
        var mine = new TrainingOptions { Corruption = "mosaic:4", Seed = 7, Epochs = 3 };
        var best = TrainingOptions.BestRecipe(mine);
        Assert.Equal(("mosaic:4", 7, 3), (best.Corruption, best.Seed, best.Epochs));
        Assert.NotEqual(mine, best);
        best.Validate(55_000);
    }

    [Fact]
    public void Resuming_with_another_schedule_or_loss_is_refused()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "a.weights");
        var options = new TrainingOptions { Epochs = 2, BatchSize = 20, TrainSize = 40, Threads = 2, Schedule = LearningRateSchedule.WarmupCosine };
        using (var model = options.CreateModel())
        using (var trainer = new Trainer(model, options))
        {
            trainer.Train(SharedMnist.Train, cancellationToken: new CancellationToken(false));
            trainer.SaveCheckpoint(path);
        }
        using var other = options.CreateModel();
        using var changed = new Trainer(other, options with { Loss = ReconstructionLoss.MeanSquared, Schedule = LearningRateSchedule.Constant });
        var e = Assert.Throws<InvalidDataException>(() => changed.Resume(path, SharedMnist.Train));
        Assert.Contains("schedule was WarmupCosine, now Constant", e.Message);
        Assert.Contains("loss was CrossEntropy, now MeanSquared", e.Message);
    }
}
