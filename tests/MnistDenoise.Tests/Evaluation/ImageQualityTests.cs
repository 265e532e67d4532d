using MnistDenoise.Evaluation;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Evaluation;

public class ImageQualityTests
{
    [Fact]
    public void Per_image_PSNR_agrees_with_the_span_version_and_is_capped_for_identical_images()
    {
        using var a = tensor(SharedMnist.Test.Images[..(3 * 784)], [3, 28, 28, 1]);
        using var b = MnistDenoise.Corruption.GaussianNoise.Apply(a, 0.3, new Generator(2));
        using var psnr = ImageQuality.PsnrPerImage(b, a);
        var bRows = b.data<float>().ToArray();
        for (var i = 0; i < 3; i++)
            Assert.Equal(Psnr.Between(bRows.AsSpan(i * 784, 784), SharedMnist.Test.Image(i)), psnr[i].item<double>(), 4);
        using var same = ImageQuality.PsnrPerImage(a, a);
        Assert.True((same == ImageQuality.MaxPsnr).all().item<bool>());
    }
}
