using MnistDenoise.Corruption;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Corruption;

public class GaussianNoiseTests
{
    [Fact]
    public void Adds_noise_of_the_given_strength_and_clips_to_the_unit_range()
    {
        using var gray = full(new long[] { 50, 28, 28, 1 }, 0.5f);
        using var generator = new Generator(3);
        using var noisy = GaussianNoise.Apply(gray, 0.1, generator);
        Assert.InRange((noisy - gray).std().item<float>(), 0.095f, 0.105f); // almost nothing clipped at 5σ

        using var strong = GaussianNoise.Apply(gray, 3, generator);
        Assert.Equal(0f, strong.min().item<float>());
        Assert.Equal(1f, strong.max().item<float>());
        Assert.Equal(0.5f, gray.mean().item<float>()); // input untouched
    }

    [Fact]
    public void The_same_seed_gives_the_same_noise_and_zero_gives_none()
    {
        using var images = rand(4, 28, 28, 1);
        using var a = GaussianNoise.Apply(images, 0.5, new Generator(9));
        using var b = GaussianNoise.Apply(images, 0.5, new Generator(9));
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        using var none = GaussianNoise.Apply(images, 0, new Generator(9));
        Assert.True(none.allclose(images, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_negative_or_infinite_factor_is_rejected()
    {
        using var images = rand(1, 28, 28, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianNoise.Apply(images, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianNoise.Apply(images, double.PositiveInfinity));
    }
}
