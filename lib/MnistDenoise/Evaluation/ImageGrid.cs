using SkiaSharp;

namespace MnistDenoise.Evaluation;

/// <summary>
/// Draws rows of grayscale images (values in [0, 1]) into one PNG, e.g. the tutorial's picture of noisy
/// inputs above their reconstructions. Encoding is SkiaSharp's.
/// </summary>
public static class ImageGrid
{
    /// <summary>Gray level of the gaps between images, so black digit backgrounds stay apart.</summary>
    private const byte GapGray = 128;

    /// <summary>
    /// A PNG with one row per entry of <paramref name="rows"/>; every image is <paramref name="side"/>² values,
    /// scaled up <paramref name="scale"/> times (nearest neighbour) and separated by <paramref name="gap"/> pixels.
    /// </summary>
    public static byte[] ToPng(IReadOnlyList<IReadOnlyList<float[]>> rows, int side = 28, int scale = 3, int gap = 2)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0 || rows.Any(r => r.Count == 0))
            throw new ArgumentException("An image grid needs at least one row with at least one image.", nameof(rows));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(side);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scale);
        ArgumentOutOfRangeException.ThrowIfNegative(gap);
        foreach (var image in rows.SelectMany(r => r))
            if (image.Length != side * side)
                throw new ArgumentException($"Every image must have {side}×{side} = {side * side} values; one has {image.Length}.", nameof(rows));

        var columns = rows.Max(r => r.Count);
        var cell = side * scale;
        var width = columns * cell + (columns + 1) * gap;
        var height = rows.Count * cell + (rows.Count + 1) * gap;
        var pixels = new byte[width * height];
        Array.Fill(pixels, GapGray);

        // Each source row is scaled across once, then copied down `scale` times.
        for (var r = 0; r < rows.Count; r++)
            for (var c = 0; c < rows[r].Count; c++)
            {
                var image = rows[r][c];
                var top = gap + r * (cell + gap);
                var left = gap + c * (cell + gap);
                for (var y = 0; y < side; y++)
                {
                    var first = pixels.AsSpan((top + y * scale) * width + left, cell);
                    for (var x = 0; x < side; x++)
                        first.Slice(x * scale, scale).Fill(ToByte(image[y * side + x]));
                    for (var copy = 1; copy < scale; copy++)
                        first.CopyTo(pixels.AsSpan((top + y * scale + copy) * width + left, cell));
                }
            }
        return Encode(pixels, width, height);
    }

    // The "up" filter turns every repeated row of a scaled-up picture into zeros, and zlib's fast levels (1-3, no lazy
    // matching) compress those runs nearly as well as level 6 (10% larger) in half the time. denoise's side-by-side
    // picture of 500 MNIST test digits, on the project's Xeon VM: all five filters per row at level 6 (Skia's default)
    // 201 µs and 630 bytes; "up" at level 6, 117 µs and 774 bytes; "up" at level 3, 60 µs and 853 bytes.
    private static readonly SKPngEncoderOptions PngOptions = new(SKPngEncoderFilterFlags.Up, zLibLevel: 3);

    private static unsafe byte[] Encode(byte[] pixels, int width, int height)
    {
        fixed (byte* p = pixels)
        {
            using var pixmap = new SKPixmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque), (IntPtr)p, width);
            using var data = pixmap.Encode(PngOptions)
                ?? throw new InvalidOperationException($"SkiaSharp could not encode a {width}×{height} grayscale PNG.");
            return data.ToArray();
        }
    }

    /// <summary>The tutorial's picture as a PNG: noisy inputs, reconstructions and originals, one row each.</summary>
    public static byte[] SideBySide(Reconstructions r, int scale = 3) =>
        ToPng([r.Noisy, r.Reconstructed, r.Original], scale: scale);

    /// <summary>Writes <see cref="SideBySide"/> to <paramref name="path"/> atomically.</summary>
    public static void SaveSideBySide(Reconstructions r, string path, int scale = 3) =>
        AtomicFile.WriteAllBytes(path, SideBySide(r, scale));

    /// <summary>
    /// <see cref="ToPng"/> with a label left of every row (e.g. the method that made it), drawn in DejaVu Sans Mono
    /// (embedded, so the picture is the same on every machine), and an optional caption under each column.
    /// </summary>
    public static byte[] ToLabelledPng(IReadOnlyList<IReadOnlyList<float[]>> rows, IReadOnlyList<string> labels,
        IReadOnlyList<string>? columnCaptions = null, int side = 28, int scale = 3, int gap = 2)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != rows?.Count)
            throw new ArgumentException($"Give one label per row: {rows?.Count} rows, {labels.Count} labels.", nameof(labels));
        using var grid = SKBitmap.Decode(ToPng(rows, side, scale, gap));
        const float textSize = 13;
        using var font = new SKFont(Typeface.Value, textSize);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        var labelWidth = (int)Math.Ceiling(labels.Max(l => font.MeasureText(l))) + 12;
        var captionHeight = columnCaptions is { Count: > 0 } ? (int)textSize + 8 : 0;
        using var surface = SKSurface.Create(new SKImageInfo(labelWidth + grid.Width, grid.Height + captionHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        canvas.DrawBitmap(grid, labelWidth, 0);
        var cell = side * scale;
        for (var r = 0; r < labels.Count; r++)
        {
            var middle = gap + r * (cell + gap) + cell / 2f + textSize / 3;
            canvas.DrawText(labels[r], labelWidth - 6, middle, SKTextAlign.Right, font, paint);
        }
        if (columnCaptions is { Count: > 0 })
            for (var c = 0; c < columnCaptions.Count; c++)
                canvas.DrawText(columnCaptions[c], labelWidth + gap + c * (cell + gap) + cell / 2f, grid.Height + textSize + 2, SKTextAlign.Center, font, paint);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static readonly Lazy<SKTypeface> Typeface = new(() =>
    {
        using var stream = typeof(ImageGrid).Assembly.GetManifestResourceStream("DejaVuSansMono.ttf")
            ?? throw new InvalidOperationException("The library was built without its embedded font DejaVuSansMono.ttf.");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException("SkiaSharp could not read the embedded font DejaVuSansMono.ttf.");
    });

    private static byte ToByte(float v) => (byte)Math.Round(Math.Clamp(v, 0f, 1f) * 255f);
}
