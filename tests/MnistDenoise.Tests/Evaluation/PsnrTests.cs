using MnistDenoise.Evaluation;

namespace MnistDenoise.Tests.Evaluation;

public class PsnrTests
{
    [Fact]
    public void Follows_ten_log10_of_one_over_mse()
    {
        Assert.Equal(20, Psnr.FromMse(0.01), 10);
        Assert.Equal(0, Psnr.FromMse(1), 10);
        Assert.Equal(double.PositiveInfinity, Psnr.FromMse(0));
        // Every pixel off by 0.1: MSE 0.01, 20 dB.
        Assert.Equal(20, Psnr.Between([0.1f, 0.5f, 1f, 0f], [0.2f, 0.4f, 0.9f, 0.1f]), 4);
    }

    [Fact]
    public void Images_of_different_sizes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Psnr.Between([1f, 2f], [1f]));
    }
}
