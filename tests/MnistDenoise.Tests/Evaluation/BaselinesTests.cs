using MnistDenoise.Corruption;
using MnistDenoise.Evaluation;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Evaluation;

public class BaselinesTests
{
    private static Tensor Digits(int count = 64) => tensor(SharedMnist.Test.Images[..(count * 784)], [count, 28, 28, 1]);

    [Fact]
    public void Median_takes_the_middle_of_each_3x3_neighbourhood_and_repeats_the_border()
    {
        // One bright pixel and one 2×2 square on black: the pixel disappears, the square's corners survive only
        // where 5 of 9 neighbours are bright (nowhere), a 3×3 square keeps its centre.
        using var image = zeros(1, 28, 28, 1);
        image[0, 5, 5, 0] = tensor(1f);
        image[0, 10..13, 10..13, 0] = tensor(1f);
        image[0, 0, 0..3, 0] = tensor(0.7f);   // along the top edge: the repeated border makes it a majority
        using var filtered = Baselines.Median3x3(image);
        Assert.Equal(new long[] { 1, 28, 28, 1 }, filtered.shape);
        Assert.Equal(0f, filtered[0, 5, 5, 0].item<float>());
        Assert.Equal(1f, filtered[0, 11, 11, 0].item<float>());
        Assert.Equal(1f, filtered[0, 10, 11, 0].item<float>());   // 6 of 9 bright
        Assert.Equal(0f, filtered[0, 10, 10, 0].item<float>());   // a corner: 4 of 9
        Assert.Equal(0.7f, filtered[0, 0, 1, 0].item<float>());   // padded row above repeats it: 6 of 9
    }

    [Fact]
    public void Median_removes_most_salt_and_pepper()
    {
        using var clean = Digits();
        using var damaged = new SaltPepper(0.05).Apply(clean, new Generator(1));
        using var filtered = Baselines.Median3x3(damaged);
        var before = ImageQuality.PsnrPerImage(damaged, clean).mean().item<double>();
        var after = ImageQuality.PsnrPerImage(filtered, clean).mean().item<double>();
        Assert.True(after > before + 3, $"median: {before:0.00} → {after:0.00} dB");
    }

    [Fact]
    public void Blur_keeps_constant_images_and_the_mean_and_lowers_Gaussian_noise()
    {
        using var gray = full(new long[] { 2, 28, 28, 1 }, 0.25f);
        using var blurredGray = Baselines.GaussianBlur(gray);
        Assert.True(blurredGray.allclose(gray, atol: 1e-6), "weights sum to 1, border repeated");

        using var clean = Digits();
        using var noisy = GaussianNoise.Apply(clean, 0.5, new Generator(2));
        using var blurred = Baselines.GaussianBlur(noisy);
        Assert.Equal(noisy.mean().item<float>(), blurred.mean().item<float>(), 2);
        var (before, after) = (ImageQuality.PsnrPerImage(noisy, clean).mean().item<double>(), ImageQuality.PsnrPerImage(blurred, clean).mean().item<double>());
        Assert.True(after > before + 2, $"blur: {before:0.00} → {after:0.00} dB");
        using var sharp = Baselines.GaussianBlur(clean, 0.1);     // σ 0.1: weights of neighbours ~e^-50
        Assert.True(sharp.allclose(clean, atol: 1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Baselines.GaussianBlur(clean, 0));
    }
}
