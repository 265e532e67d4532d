using SkiaSharp;

namespace MnistDenoise.Inference;

/// <summary>Whether a picture's colours are flipped so that the digit is light on a dark background, as in MNIST.</summary>
public enum InvertMode
{
    /// <summary>Flip pictures whose border is mostly light (dark ink on paper); keep dark-background ones.</summary>
    Auto,

    /// <summary>Always flip.</summary>
    Always,

    /// <summary>Never flip (the picture is already light on dark).</summary>
    Never,
}

/// <summary>A picture turned into the network's input: 28×28 values in [0, 1], light digit on black.</summary>
/// <param name="Pixels">784 values, row by row.</param>
/// <param name="Inverted">Whether the colours were flipped.</param>
/// <param name="SourceWidth">Width of the original picture in pixels.</param>
/// <param name="SourceHeight">Height of the original picture in pixels.</param>
public sealed record DigitInput(float[] Pixels, bool Inverted, int SourceWidth, int SourceHeight);

/// <summary>A file that cannot be read as a picture of a digit; the message names the file and says what was wrong.</summary>
public sealed class InvalidImageException(string message) : Exception(message)
{
    /// <summary>
    /// True when no digit was found in a picture whose colours were guessed (<see cref="InvertMode.Auto"/>): naming
    /// them (<see cref="InvertMode.Always"/> or <see cref="InvertMode.Never"/>) may find it.
    /// </summary>
    public bool InvertMayHelp { get; init; }
}

/// <summary>
/// Reads PNG, JPEG or BMP pictures (SkiaSharp) and frames them the way MNIST's digits were: grayscale, light digit on a
/// dark background, the digit's bounding box scaled (aspect ratio kept) to fit a 20×20 box, then placed in the 28×28
/// field so that its centre of mass is at the centre (LeCun et al., "The MNIST database": "centered in a 28x28 image by
/// computing the center of mass of the pixels").
/// </summary>
public static class DigitImage
{
    /// <summary>The side of the box the digit is scaled into, as in MNIST.</summary>
    public const int DigitBox = 20;

    /// <summary>Pictures with more pixels than this are refused before decoding (a 50,000×50,000 header would need 10 GB).</summary>
    public const long MaxPixels = 40_000_000;

    // Pixels at least this far (as a fraction of the contrast) above the background count as ink for the bounding box.
    private const float InkThreshold = 0.1f;

    // A picture whose darkest and lightest parts differ by less than this has no digit to find.
    private const float MinContrast = 0.1f;

    private const int Side = 28;

    /// <summary>Reads and frames the picture at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidImageException">The file is empty, not a picture SkiaSharp can read, too large, truncated or blank.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static DigitInput Load(string path, InvertMode invert = InvertMode.Auto)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
            throw new FileNotFoundException($"{path}: no such file.", path);
        if (file.Length == 0)
            throw new InvalidImageException($"{path}: the file is empty (0 bytes).");
        using var stream = file.OpenRead();
        return Decode(stream, path, invert);
    }

    /// <summary>Reads and frames a picture from <paramref name="stream"/>; <paramref name="name"/> is used in messages.</summary>
    /// <exception cref="InvalidImageException">Not a picture SkiaSharp can read, too large, truncated or blank.</exception>
    public static DigitInput Decode(Stream stream, string name, InvertMode invert = InvertMode.Auto)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var codec = SKCodec.Create(stream, out var result)
            ?? throw new InvalidImageException($"{name}: not a PNG, JPEG or BMP picture (the decoder said: {result}).");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0)
            throw new InvalidImageException($"{name}: the header gives an empty size ({width}×{height}).");
        if ((long)width * height > MaxPixels)
            throw new InvalidImageException(
                $"{name}: the header says {width:N0}×{height:N0} pixels; pictures over {MaxPixels / 1_000_000} megapixels are refused. Scale it down first.");

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize64];
        SKCodecResult decoded;
        unsafe
        {
            fixed (byte* p = rgba)
                decoded = codec.GetPixels(info, (IntPtr)p);
        }
        if (decoded is SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput)
            throw new InvalidImageException($"{name}: the picture is truncated or damaged (the decoder said: {decoded}).");
        if (decoded != SKCodecResult.Success)
            throw new InvalidImageException($"{name}: the picture could not be decoded ({decoded}).");

        // Luminance (Rec. 601, as most grayscale conversions), transparent parts composited onto white paper.
        var gray = new float[width * height];
        for (var i = 0; i < gray.Length; i++)
        {
            var (r, g, b, a) = (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3] / 255f);
            var luminance = (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
            gray[i] = a * luminance + (1 - a);
        }
        try
        {
            return Frame(gray, width, height, invert);
        }
        catch (ArgumentException e)
        {
            throw new InvalidImageException($"{name}: {e.Message}") { InvertMayHelp = invert == InvertMode.Auto };
        }
    }

    /// <summary>
    /// Frames a grayscale picture (values in [0, 1], row by row) as an MNIST digit: flips it if asked (or, with
    /// <see cref="InvertMode.Auto"/>, if its border is mostly light), stretches the contrast from the background
    /// (the border's median) to the brightest ink, fits the ink's bounding box into 20×20 keeping the aspect ratio,
    /// and centres it by mass in 28×28. A 28×28 picture is only flipped (if needed): it is taken as framed already.
    /// </summary>
    /// <exception cref="ArgumentException">The picture is (almost) one flat colour: there is no digit to find.</exception>
    public static DigitInput Frame(float[] gray, int width, int height, InvertMode invert = InvertMode.Auto)
    {
        ArgumentNullException.ThrowIfNull(gray);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (gray.Length != (long)width * height)
            throw new ArgumentException($"Expected {width}×{height} = {(long)width * height} values; got {gray.Length}.", nameof(gray));

        var border = Border(gray, width, height);
        var flip = invert switch
        {
            InvertMode.Always => true,
            InvertMode.Never => false,
            _ => border.Average() > 0.5f,
        };
        var ink = flip ? gray.Select(v => 1 - v).ToArray() : (float[])gray.Clone();
        var background = Median(flip ? border.Select(v => 1 - v).ToArray() : border);
        var peak = ink.Max();
        if (peak - background < MinContrast)
            throw new ArgumentException(
                $"no digit found: the picture is almost one flat colour (background {background:0.00}, brightest ink {peak:0.00}, on a 0-1 scale" +
                (invert == InvertMode.Auto ? "; if the digit is dark on light, or light on dark, say so with the invert setting, Always or Never)." : ")."));
        // A picture of MNIST's own size is taken as framed already (MNIST's files, a digit saved from a notebook), colours
        // flipped if needed but values untouched: a noisy one would otherwise lose its noise floor to the contrast stretch
        // and have its noise counted as ink, the whole field shrunk into 20×20.
        if (width == Side && height == Side)
            return new DigitInput(ink, flip, width, height);
        for (var i = 0; i < ink.Length; i++)
            ink[i] = Math.Clamp((ink[i] - background) / (peak - background), 0f, 1f);

        // The ink's bounding box, found on a 3×3 median-filtered copy so that scattered noise does not count as ink (a
        // stroke two or more pixels wide survives the filter); if nothing survives (thin strokes), on the picture itself.
        var (left, top, right, bottom) = InkBox(Median3x3(ink, width, height), width, height) is { Right: >= 0 } box
            ? box
            : InkBox(ink, width, height);
        var (boxWidth, boxHeight) = (right - left + 1, bottom - top + 1);

        // Fit the box into 20×20, aspect ratio kept.
        var scale = (double)DigitBox / Math.Max(boxWidth, boxHeight);
        var fittedWidth = Math.Clamp((int)Math.Round(boxWidth * scale), 1, DigitBox);
        var fittedHeight = Math.Clamp((int)Math.Round(boxHeight * scale), 1, DigitBox);
        var fitted = Resample(ink, width, left, top, boxWidth, boxHeight, fittedWidth, fittedHeight);

        // Centre of mass moved to pixel (14, 14) by a whole number of pixels: MNIST's digits have their centre of mass
        // at index 14 on average (measured on the test set: 14.0 and 13.99), i.e. at 14.5 with pixel centres at index + 0.5.
        double mass = 0, mx = 0, my = 0;
        for (var y = 0; y < fittedHeight; y++)
            for (var x = 0; x < fittedWidth; x++)
            {
                var v = fitted[y * fittedWidth + x];
                mass += v; mx += v * (x + 0.5); my += v * (y + 0.5);
            }
        const double centre = Side / 2 + 0.5;
        var dx = (int)Math.Round(centre - mx / mass, MidpointRounding.AwayFromZero);
        var dy = (int)Math.Round(centre - my / mass, MidpointRounding.AwayFromZero);
        var pixels = new float[Side * Side];
        for (var y = 0; y < fittedHeight; y++)
            for (var x = 0; x < fittedWidth; x++)
            {
                var (tx, ty) = (x + dx, y + dy);
                if (tx is >= 0 and < Side && ty is >= 0 and < Side)
                    pixels[ty * Side + tx] = fitted[y * fittedWidth + x];
            }
        return new DigitInput(pixels, flip, width, height);
    }

    private static (int Left, int Top, int Right, int Bottom) InkBox(float[] ink, int width, int height)
    {
        int left = width, right = -1, top = height, bottom = -1;
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                if (ink[y * width + x] > InkThreshold)
                {
                    left = Math.Min(left, x); right = Math.Max(right, x);
                    top = Math.Min(top, y); bottom = Math.Max(bottom, y);
                }
        return (left, top, right, bottom);
    }

    // Each pixel replaced by the median of its 3×3 neighbourhood (edges: the neighbours that exist).
    private static float[] Median3x3(float[] values, int width, int height)
    {
        var result = new float[values.Length];
        Parallel.For(0, height, y =>
        {
            Span<float> window = stackalloc float[9];
            for (var x = 0; x < width; x++)
            {
                var n = 0;
                for (var dy = -1; dy <= 1; dy++)
                    for (var dx = -1; dx <= 1; dx++)
                        if (y + dy >= 0 && y + dy < height && x + dx >= 0 && x + dx < width)
                            window[n++] = values[(y + dy) * width + x + dx];
                var used = window[..n];
                used.Sort();
                result[y * width + x] = used[n / 2];
            }
        });
        return result;
    }

    // The outermost ring of pixels, about 5% of the shorter side thick (at least one pixel).
    private static float[] Border(float[] gray, int width, int height)
    {
        var ring = Math.Max(1, Math.Min(width, height) / 20);
        var values = new List<float>();
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                if (x < ring || y < ring || x >= width - ring || y >= height - ring)
                    values.Add(gray[y * width + x]);
        return [.. values];
    }

    private static float Median(float[] values)
    {
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    // Area-weighted resampling of a box of the source: every output pixel is the average of the source area it covers
    // (partial pixels weighted by coverage). Exact for downscaling (no aliasing), blocky but faithful for upscaling.
    private static float[] Resample(float[] source, int stride, int left, int top, int width, int height, int newWidth, int newHeight)
    {
        var (columns, rows) = (Weights(width, newWidth), Weights(height, newHeight));
        var horizontal = new float[height * newWidth];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < newWidth; x++)
            {
                double sum = 0;
                foreach (var (index, weight) in columns[x]) sum += weight * source[(top + y) * stride + left + index];
                horizontal[y * newWidth + x] = (float)sum;
            }
        var result = new float[newHeight * newWidth];
        for (var y = 0; y < newHeight; y++)
            for (var x = 0; x < newWidth; x++)
            {
                double sum = 0;
                foreach (var (index, weight) in rows[y]) sum += weight * horizontal[index * newWidth + x];
                result[y * newWidth + x] = (float)sum;
            }
        return result;
    }

    // For each of `to` output pixels, the source pixels of [0, from) it covers and their weights (summing to 1).
    private static List<(int Index, double Weight)>[] Weights(int from, int to)
    {
        var weights = new List<(int, double)>[to];
        var step = (double)from / to;
        for (var i = 0; i < to; i++)
        {
            var (start, end) = (i * step, (i + 1) * step);
            weights[i] = [];
            for (var s = (int)Math.Floor(start); s < Math.Min(from, (int)Math.Ceiling(end)); s++)
            {
                var cover = Math.Min(end, s + 1) - Math.Max(start, s);
                if (cover > 0) weights[i].Add((s, cover / step));
            }
        }
        return weights;
    }
}
