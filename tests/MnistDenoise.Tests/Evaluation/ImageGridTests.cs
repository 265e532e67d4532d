using MnistDenoise.Evaluation;
using SkiaSharp;

namespace MnistDenoise.Tests.Evaluation;

public class ImageGridTests
{
    private static float[] Ramp(float scale) => Enumerable.Range(0, 784).Select(i => i % 28 / 27f * scale).ToArray();

    [Fact]
    public void Draws_rows_of_scaled_images_into_a_png()
    {
        var rows = new[] { new[] { Ramp(1), Ramp(0.5f) }, new[] { Ramp(0.25f), Ramp(1) } };
        var png = ImageGrid.ToPng(rows, scale: 2, gap: 3);

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(2 * 56 + 3 * 3, bitmap.Width);
        Assert.Equal(2 * 56 + 3 * 3, bitmap.Height);
        Assert.Equal(128, bitmap.GetPixel(0, 0).Red);                        // gap
        Assert.Equal(0, bitmap.GetPixel(3, 3).Red);                           // first column of the ramp
        Assert.Equal(255, bitmap.GetPixel(3 + 55, 3 + 10).Red);               // last column, full scale
        Assert.Equal(128, bitmap.GetPixel(3 + 56 + 3 + 55, 3).Red);           // second image at half scale
        Assert.Equal(64, bitmap.GetPixel(3 + 55, 3 + 56 + 3).Red);            // second row at quarter scale
    }

    [Fact]
    public void The_side_by_side_picture_has_three_rows_of_ten()
    {
        var ten = Enumerable.Range(0, 10).Select(_ => Ramp(1)).ToArray();
        var png = ImageGrid.SideBySide(new Reconstructions(Enumerable.Range(0, 10).ToArray(), ten, ten, ten), scale: 3);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((10 * 84 + 11 * 2, 3 * 84 + 4 * 2), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void Images_of_the_wrong_size_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageGrid.ToPng([[new float[100]]]));
        Assert.Contains("784", e.Message);
        Assert.Throws<ArgumentException>(() => ImageGrid.ToPng([]));
    }
}
