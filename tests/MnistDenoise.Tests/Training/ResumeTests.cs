using MnistDenoise.Data;
using MnistDenoise.Model;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Training;

public class ResumeTests
{
    // 210 images in batches of 20: 10 steps per epoch with 10 images left over, so epochs end inside a batch.
    private static readonly TrainingOptions Small = new() { TrainSize = 210, BatchSize = 20, Epochs = 2, Seed = 11 };

    private static void AssertSameWeights(ConvAutoencoder expected, ConvAutoencoder actual)
    {
        var other = actual.state_dict();
        foreach (var (name, tensor) in expected.state_dict())
            Assert.True(tensor.eq(other[name]).all().item<bool>(), $"'{name}' differs");
    }

    private static TrainingResult Uninterrupted(TrainingOptions options, out ConvAutoencoder model)
    {
        model = options.CreateModel();
        using var trainer = new Trainer(model, options);
        return trainer.Train(SharedMnist.Train);
    }

    [Fact]
    public void Cancel_at_step_13_then_resume_from_the_checkpoint_gives_bitwise_the_weights_of_an_uninterrupted_run()
    {
        var full = Uninterrupted(Small, out var straight);
        using var _ = straight;
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "run.weights");

        using (var first = Small.CreateModel())
        using (var trainer = new Trainer(first, Small))
        using (var cancel = new CancellationTokenSource())
        {
            var part = trainer.Train(SharedMnist.Train, s => { if (s.GlobalStep == 13) cancel.Cancel(); }, cancel.Token);
            Assert.True(part.Cancelled);
            Assert.Equal(full.StepLosses.Take(13), part.StepLosses);
            trainer.SaveCheckpoint(path);
        }

        // As a new process would: a model made with another seed, then everything from the file.
        using var resumed = (Small with { Seed = 99 }).CreateModel();
        using var again = new Trainer(resumed, Small);
        var info = again.Resume(path, SharedMnist.Train);
        Assert.Equal((2, 3), info.Position);
        Assert.Equal(13, info.CompletedSteps);

        var rest = again.Train(SharedMnist.Train);
        Assert.False(rest.Cancelled);
        Assert.Equal(13, rest.ResumedSteps);
        Assert.Equal(full.StepLosses, rest.StepLosses);
        Assert.Equal(full.EpochLosses, rest.EpochLosses);
        AssertSameWeights(straight, resumed);
    }

    [Fact]
    public void A_checkpoint_saved_from_the_step_callback_once_cancelled_resumes_exactly_as_notebook_04_does_it()
    {
        var options = Small with { Epochs = 1 };
        var full = Uninterrupted(options, out var straight);
        using var _ = straight;
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "nb.weights");
        using (var model = options.CreateModel())
        using (var trainer = new Trainer(model, options))
        using (var cancel = new CancellationTokenSource())
        {
            trainer.Train(SharedMnist.Train, s =>
            {
                if (s.GlobalStep == 6) cancel.Cancel();                        // the stop button, during step 7's wait
                if (cancel.IsCancellationRequested) trainer.SaveCheckpoint(path); // notebook 04's callback
            }, cancel.Token);
        }

        using var resumed = options.CreateModel();
        using var again = new Trainer(resumed, options);
        Assert.Equal(6, again.Resume(path, SharedMnist.Train).CompletedSteps);
        Assert.Equal(full.StepLosses, again.Train(SharedMnist.Train).StepLosses);
        AssertSameWeights(straight, resumed);
    }

    [Fact]
    public void A_cancelled_run_continues_in_memory_on_the_next_call()
    {
        var options = Small with { Epochs = 1 };
        var full = Uninterrupted(options, out var straight);
        using var _ = straight;
        using var model = options.CreateModel();
        using var trainer = new Trainer(model, options);
        using var cancel = new CancellationTokenSource();
        trainer.Train(SharedMnist.Train, s => { if (s.GlobalStep == 4) cancel.Cancel(); }, cancel.Token);

        var rest = trainer.Train(SharedMnist.Train);

        Assert.Equal(4, rest.ResumedSteps);
        Assert.Equal(full.StepLosses, rest.StepLosses);
        AssertSameWeights(straight, model);
    }

    [Fact]
    public void Resuming_with_other_settings_says_what_differs_and_changes_nothing()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "run.weights");
        using (var model = Small.CreateModel())
        using (var trainer = new Trainer(model, Small))
        using (var cancel = new CancellationTokenSource())
        {
            trainer.Train(SharedMnist.Train, s => { if (s.GlobalStep == 2) cancel.Cancel(); }, cancel.Token);
            trainer.SaveCheckpoint(path);
        }

        var other = Small with { BatchSize = 30, NoiseFactor = 0.3, TrainSize = 300 };
        using var target = other.CreateModel();
        using var before = target.weights["conv2"].clone();
        using var trainer2 = new Trainer(target, other);
        var e = Assert.Throws<InvalidDataException>(() => trainer2.Resume(path, SharedMnist.Train));

        Assert.Contains("comes from a different run", e.Message);
        Assert.Contains("batch size was 20, now 30", e.Message);
        Assert.Contains("noise was 0.5, now 0.3", e.Message);
        Assert.Contains("training images was 210, now 300", e.Message);
        Assert.True(before.eq(target.weights["conv2"]).all().item<bool>());
        Assert.Equal(20, trainer2.Train(SharedMnist.Train).StepLosses.Count); // a fresh run: 2 epochs of 300 // 30 steps

        // Another damage is another run too, even with every other setting equal.
        var mosaic = Small with { Corruption = "mosaic:4" };
        using var third = mosaic.CreateModel();
        using var trainer3 = new Trainer(third, mosaic);
        var m = Assert.Throws<InvalidDataException>(() => trainer3.Resume(path, SharedMnist.Train));
        Assert.Contains("corruption was gaussian:0.5, now mosaic:4", m.Message);
    }

    [Fact]
    public void Resuming_on_other_training_images_is_refused()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "run.weights");
        var options = Small with { Epochs = 1 };
        using (var model = options.CreateModel())
        using (var trainer = new Trainer(model, options))
        {
            trainer.Train(SharedMnist.Train);
            trainer.SaveCheckpoint(path);
        }

        using var target = options.CreateModel();
        using var trainer2 = new Trainer(target, options);
        var e = Assert.Throws<InvalidDataException>(() => trainer2.Resume(path, SharedMnist.Test));
        Assert.Contains("not the same ones", e.Message);
    }

    [Fact]
    public void A_weights_only_file_cannot_be_resumed_from_but_a_resumable_one_loads_as_weights()
    {
        using var temp = new TestPaths.TempDirectory();
        var weightsOnly = Path.Combine(temp.Path, "w.weights");
        var resumable = Path.Combine(temp.Path, "r.weights");
        using var model = Small.CreateModel();
        Checkpoint.Save(model, weightsOnly);
        using (var trainer = new Trainer(model, Small with { Epochs = 1 }))
        {
            trainer.Train(SharedMnist.Train);
            trainer.SaveCheckpoint(resumable);
        }

        using var target = Small.CreateModel();
        using var trainer2 = new Trainer(target, Small);
        Assert.Contains("holds weights only", Assert.Throws<InvalidDataException>(() => trainer2.Resume(weightsOnly, SharedMnist.Train)).Message);
        Assert.False(Checkpoint.Inspect(weightsOnly).HasTrainingState);

        Checkpoint.Load(target, resumable);
        AssertSameWeights(model, target);
        var info = Checkpoint.Inspect(resumable);
        Assert.Equal((10, 10, 210), (info.CompletedSteps, info.StepsPerEpoch, info.TrainExamples));
        Assert.Equal(Small.Seed, info.Options!.Seed);
    }

    [Fact]
    public void A_nan_loss_stops_training_with_advice_and_keeps_the_last_good_weights()
    {
        // Ten images, one of them NaN, batch 1: the run diverges when the shuffled order reaches it.
        var clean = SharedMnist.Train.Take(10);
        var images = (float[])clean.Images.Clone();
        Array.Fill(images, float.NaN, 7 * clean.ImageSize, clean.ImageSize);
        var poisoned = new DataSet(images, clean.Labels, clean.Rows, clean.Columns, reshape: false);
        var options = new TrainingOptions { BatchSize = 1, Epochs = 1, Seed = 3 };

        using var model = options.CreateModel();
        using var trainer = new Trainer(model, options);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Train(poisoned));
        Assert.True(e.GoodSteps > 0, "choose a seed whose order does not start with the NaN image");
        Assert.True(double.IsNaN(e.Loss));
        Assert.Contains($"the model keeps the weights of the last good step ({e.GoodSteps})", e.Message);
        Assert.Contains("lower the learning rate", e.Message);

        // The same run stopped just before the bad step.
        using var reference = options.CreateModel();
        using (var trainer2 = new Trainer(reference, options))
        using (var cancel = new CancellationTokenSource())
            trainer2.Train(poisoned, s => { if (s.GlobalStep == e.GoodSteps) cancel.Cancel(); }, cancel.Token);
        AssertSameWeights(reference, model);
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.isfinite().all().item<bool>(), name);

        // And its checkpoint stands at the last good step.
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "good.weights");
        trainer.SaveCheckpoint(path);
        Assert.Equal(e.GoodSteps, Checkpoint.Inspect(path).CompletedSteps);
    }

    [Theory]
    [InlineData(0.001, WeightInit.Tutorial, "normal(0,1)")]
    [InlineData(0.5, WeightInit.Default, "lower the learning rate (now 0.5; the tutorial uses 0.001, try 0.05)")]
    public void The_divergence_message_suggests_what_to_change(double learningRate, WeightInit init, string advice)
    {
        var e = new TrainingDivergedException(double.PositiveInfinity, 1, 5, 4, new TrainingOptions { LearningRate = learningRate, Init = init });
        Assert.Contains("the loss became ∞ at epoch 1, step 5", e.Message.Replace("Infinity", "∞"));
        Assert.Contains(advice, e.Message);
    }
}
