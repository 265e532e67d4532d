using MnistDenoise.Inference;
using SkiaSharp;

namespace MnistDenoise.Tests.Inference;

public class DigitImageTests
{
    private static float MeanAbsDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average();

    private static (int Left, int Top, int Right, int Bottom) InkBox(float[] pixels, float threshold = 0.1f)
    {
        int l = 28, t = 28, r = -1, b = -1;
        for (var y = 0; y < 28; y++)
            for (var x = 0; x < 28; x++)
                if (pixels[y * 28 + x] > threshold) { l = Math.Min(l, x); r = Math.Max(r, x); t = Math.Min(t, y); b = Math.Max(b, y); }
        return (l, t, r, b);
    }

    private static (double X, double Y) CentreOfMass(float[] pixels)
    {
        double m = 0, x = 0, y = 0;
        for (var i = 0; i < 784; i++) { m += pixels[i]; x += pixels[i] * (i % 28 + 0.5); y += pixels[i] * (i / 28 + 0.5); }
        return (x / m, y / m);
    }

    [Fact]
    public void Mnist_digits_twice_as_large_in_a_larger_field_are_framed_back_almost_as_they_were()
    {
        // MNIST's digits are framed this way already, so undoing a 2× enlargement and a shift must nearly give them back.
        var diffs = Enumerable.Range(0, 100).Select(i =>
        {
            var original = TrainedModel.TestImage(i);
            var large = new float[70 * 64];
            for (var y = 0; y < 56; y++)
                for (var x = 0; x < 56; x++)
                    large[(y + 3) * 70 + x + 11] = original[y / 2 * 28 + x / 2];
            var framed = DigitImage.Frame(large, 70, 64);
            Assert.False(framed.Inverted);
            return MeanAbsDifference(original, framed.Pixels);
        }).ToArray();
        Assert.True(diffs.Count(d => d < 1e-6) >= 50, $"only {diffs.Count(d => d < 1e-6)} of 100 unchanged");
        Assert.True(diffs.Average() < 0.01, $"mean abs difference {diffs.Average():0.0000}");
    }

    [Fact]
    public void A_noisy_digit_keeps_its_size_the_noise_does_not_count_as_ink()
    {
        var clean = TrainedModel.TestImage(0);
        var random = new Random(3);
        var noisy = clean.Select(v => Math.Clamp(v + 0.5f * (float)(random.NextDouble() * 2 - 1) * 1.7f, 0f, 1f)).ToArray();
        // As a 28×28 file: taken as is.
        Assert.Equal(noisy, DigitImage.Frame(noisy, 28, 28).Pixels);
        // Three times larger: the median filter keeps the noise out of the bounding box, so the digit stays ~20 pixels tall.
        var large = new float[84 * 84];
        for (var i = 0; i < large.Length; i++) large[i] = noisy[i / 84 / 3 * 28 + i % 84 / 3];
        var (l, t, r, b) = InkBox(DigitImage.Frame(large, 84, 84).Pixels, threshold: 0.5f);
        var (cl, ct, cr, cb) = InkBox(clean, threshold: 0.5f);
        Assert.InRange(b - t, cb - ct - 2, cb - ct + 2);
    }

    [Fact]
    public void An_mnist_digit_saved_as_png_reads_back_as_itself()
    {
        using var temp = new TestPaths.TempDirectory();
        var original = TrainedModel.TestImage(1);
        var path = Path.Combine(temp.Path, "1.png");
        TrainedModel.WritePng(original, path);
        var loaded = DigitImage.Load(path);
        Assert.Equal((28, 28), (loaded.SourceWidth, loaded.SourceHeight));
        Assert.True(MeanAbsDifference(original, loaded.Pixels) < 0.01); // 8-bit PNG rounding
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Bmp)]
    public void Dark_ink_on_white_paper_larger_and_off_centre_is_inverted_and_framed_like_mnist(SKEncodedImageFormat format)
    {
        if (format == SKEncodedImageFormat.Bmp && !CanEncode(format)) return; // Skia writes PNG and JPEG everywhere; BMP is read-only in some builds
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "photo." + format.ToString().ToLowerInvariant());
        File.WriteAllBytes(path, TrainedModel.PaperPicture(0, scale: 9, format));

        var loaded = DigitImage.Load(path);
        Assert.True(loaded.Inverted);
        var (l, t, r, b) = InkBox(loaded.Pixels);
        Assert.Equal(20, Math.Max(r - l + 1, b - t + 1)); // longer side fitted into 20
        var (cx, cy) = CentreOfMass(loaded.Pixels);
        Assert.InRange(cx, 14, 15); // MNIST's: pixel 14 (centres at index + 0.5)
        Assert.InRange(cy, 14, 15);
        Assert.True(MeanAbsDifference(TrainedModel.TestImage(0), loaded.Pixels) < 0.1);
    }

    // What denoise's library call reports for the picture saved as a grayscale PNG (no picture reaches the engine here).
    private static DenoiseOutcome DenoiseAsPng(float[] gray, int width, int height)
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "picture.png");
        using (var bitmap = new SKBitmap(width, height, SKColorType.Gray8, SKAlphaType.Opaque))
        {
            for (var i = 0; i < gray.Length; i++)
            {
                var v = (byte)Math.Round(gray[i] * 255);
                bitmap.SetPixel(i % width, i / width, new SKColor(v, v, v));
            }
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, png.ToArray());
        }
        using var denoiser = new Denoiser(new NoEngine());
        return denoiser.DenoiseFiles([path], Path.Combine(temp.Path, "out")).Single();
    }

    private sealed class NoEngine : IDenoiseEngine
    {
        public string Name => "none";
        public float[] Reconstruct(float[] images, int count) => throw new InvalidOperationException("no picture should reach the engine");
        public void Dispose() { }
    }

    private static bool CanEncode(SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(2, 2);
        using var data = bitmap.Encode(format, 90);
        return data is not null;
    }

    [Fact]
    public void Invert_always_and_never_override_the_guess()
    {
        // Dark ink on a paper that photographed darker than mid-gray: the guess keeps the colours and finds no light digit.
        var gray = Enumerable.Repeat(0.45f, 40 * 30).ToArray();
        for (var y = 10; y < 20; y++) for (var x = 15; x < 20; x++) gray[y * 40 + x] = 0f; // a dark bar, 5×10
        Assert.Throws<ArgumentException>(() => DigitImage.Frame(gray, 40, 30));
        // The library names its own setting; denoise adds the flag to the error the user reads for that picture.
        Assert.Contains("--invert", MnistDenoise.Cli.DenoiseCommand.ErrorLine(DenoiseAsPng(gray, 40, 30)));
        Assert.Throws<ArgumentException>(() => DigitImage.Frame(gray, 40, 30, InvertMode.Never));

        var flipped = DigitImage.Frame(gray, 40, 30, InvertMode.Always);
        Assert.True(flipped.Inverted);
        var (l, t, r, b) = InkBox(flipped.Pixels);
        Assert.Equal((10, 20), (r - l + 1, b - t + 1));
    }

    [Fact]
    public void A_tall_thin_stroke_keeps_its_aspect_ratio_and_is_centred_by_mass()
    {
        var (w, h) = (300, 200);
        var gray = new float[w * h];
        Array.Fill(gray, 0.05f); // a dim background is taken away
        for (var y = 0; y < 100; y++) for (var x = 0; x < 20; x++) gray[y * w + x] = 0.9f; // top-left corner, 20×100
        var framed = DigitImage.Frame(gray, w, h);
        var (l, t, r, b) = InkBox(framed.Pixels);
        Assert.Equal(20, b - t + 1);
        Assert.Equal(4, r - l + 1); // 20 · 20 / 100
        var (cx, cy) = CentreOfMass(framed.Pixels);
        Assert.InRange(cx, 14, 15); // MNIST's: pixel 14 (centres at index + 0.5)
        Assert.InRange(cy, 14, 15);
        Assert.Equal(1f, framed.Pixels.Max(), 3); // contrast stretched from the background to the ink
        Assert.Equal(0f, framed.Pixels.Min());
    }

    [Fact]
    public void A_blank_picture_says_no_digit_was_found()
    {
        var gray = Enumerable.Repeat(0.7f, 50 * 50).ToArray();
        var e = Assert.Throws<ArgumentException>(() => DigitImage.Frame(gray, 50, 50));
        Assert.Contains("no digit found", e.Message);
    }

    public static TheoryData<string, byte[], string> BadFiles()
    {
        var png = TrainedModel.PaperPicture(3, scale: 4);
        return new()
        {
            { "empty.png", [], "empty (0 bytes)" },
            { "notes.png", "just some text, not a picture"u8.ToArray(), "not a PNG, JPEG or BMP picture" },
            { "huge.png", TrainedModel.HugeHeaderPng(), "50,000×50,000 pixels" },
            { "truncated.png", png[..(png.Length / 2)], "truncated or damaged" },
            { "truncated.jpg", TrainedModel.PaperPicture(3, scale: 4, SKEncodedImageFormat.Jpeg)[..400], "truncated or damaged" },
        };
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_files_are_refused_with_a_message_naming_the_file_and_the_problem(string name, byte[] bytes, string expected)
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidImageException>(() => DigitImage.Load(path));
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
