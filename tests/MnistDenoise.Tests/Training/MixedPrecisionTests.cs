using MnistDenoise.Model;
using MnistDenoise.Runtime;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Training;

public class MixedPrecisionTests
{
    [Fact]
    public void A_bf16_forward_is_close_to_fp32_and_returns_fp32()
    {
        using var model = new ConvAutoencoder(seed: 4);
        using var x = rand(3, 28, 28, 1, generator: new Generator(4));
        using var fp32 = model.forward(x);
        using var bf16 = model.forward(x, ScalarType.BFloat16);
        Assert.Equal(ScalarType.Float32, bf16.dtype);
        Assert.Equal(fp32.shape, bf16.shape);
        // bf16 keeps 8 bits of mantissa: about 2-3 significant digits after seven layers.
        using var difference = (fp32 - bf16).abs().max();
        Assert.InRange(difference.item<float>(), 0f, 0.05f);
        Assert.False(fp32.allclose(bf16, rtol: 0, atol: 0)); // it really computed in bf16
    }

    [Fact]
    public void Bf16_training_updates_the_fp32_master_weights_and_learns()
    {
        var options = new TrainingOptions { TrainSize = 400, BatchSize = 20, Epochs = 2, Seed = 5, Precision = Precision.BFloat16 };
        using var model = options.CreateModel();
        if (CpuFeatures.HasBFloat16 == false)
        {
            // Without bf16 instructions the trainer refuses, saying what to use instead.
            var e = Assert.Throws<NotSupportedException>(() => new Trainer(model, options));
            Assert.Contains("Float32", e.Message);
            return;
        }
        using var initial = model.weights["conv3"].clone();
        using var trainer = new Trainer(model, options);
        var result = trainer.Train(SharedMnist.Train);

        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.False(initial.allclose(model.weights["conv3"], rtol: 0, atol: 0));
        var first = result.StepLosses.Take(5).Average();
        var last = result.StepLosses.TakeLast(5).Average();
        Assert.True(last < 0.8 * first, $"loss fell only from {first:0.000} to {last:0.000}");
    }

    [Fact]
    public void Bf16_and_fp32_training_stay_close_for_a_few_steps()
    {
        if (CpuFeatures.HasBFloat16 == false) return; // refused there; see the test above
        var fp32 = new TrainingOptions { TrainSize = 100, BatchSize = 20, Epochs = 1, Seed = 6 };
        double[] Losses(TrainingOptions o)
        {
            using var model = o.CreateModel();
            using var trainer = new Trainer(model, o);
            return trainer.Train(SharedMnist.Train).StepLosses.ToArray();
        }
        var a = Losses(fp32);
        var b = Losses(fp32 with { Precision = Precision.BFloat16 });
        Assert.Equal(a.Length, b.Length);
        foreach (var (x, y) in a.Zip(b)) Assert.InRange(Math.Abs(x - y), 0, 0.01 * x);
    }
}
