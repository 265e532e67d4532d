using MnistDenoise.Corruption;
using MnistDenoise.Evaluation;
using MnistDenoise.Model;

namespace MnistDenoise.Tests.Evaluation;

public class EvaluatorTests
{
    [Fact]
    public void Scores_the_requested_images_reproducibly()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var a = Evaluator.Evaluate(model, SharedMnist.Test, new Gaussian(0.5), limit: 120, batchSize: 50);
        var b = Evaluator.Evaluate(model, SharedMnist.Test, new Gaussian(0.5), limit: 120, batchSize: 40);
        Assert.Equal(120, a.Images);
        Assert.Equal(a.NoisyPsnr, b.NoisyPsnr, 6);      // same noise whatever the batching
        Assert.Equal(a.ReconstructedPsnr, b.ReconstructedPsnr, 4);
        // Noise 0.5 clipped to [0, 1] on MNIST: about 9.4 dB (measured on 1,000 images in the facts file).
        Assert.InRange(a.NoisyPsnr, 8.9, 9.9);
        Assert.True(a.Loss > 0);
    }

    [Fact]
    public void Without_noise_the_noisy_input_is_the_original()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var score = Evaluator.Evaluate(model, SharedMnist.Test, new Gaussian(0), limit: 20);
        Assert.Equal(double.PositiveInfinity, score.NoisyPsnr);
    }

    [Fact]
    public void Reconstructs_the_first_ten_test_images()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var r = Evaluator.Reconstruct(model, SharedMnist.Test, new Gaussian(0.5));
        Assert.Equal(Enumerable.Range(0, 10), r.Indices);
        Assert.All(r.Noisy.Concat(r.Reconstructed).Concat(r.Original), image => Assert.Equal(784, image.Length));
        Assert.Equal(SharedMnist.Test.Image(3).ToArray(), r.Original[3]);
        Assert.All(r.Reconstructed.SelectMany(i => i), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(10, r.NoisyPsnr.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.Reconstruct(model, SharedMnist.Test, new Gaussian(0.5), indices: [10_000]));
    }
}
