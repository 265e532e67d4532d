using MnistDenoise.Model;
using SkiaSharp;

namespace MnistDenoise.Notebooks;

/// <summary>
/// Which of the 5×5 kernel's taps the fast graph adds together (<see cref="SubPixel"/>): one 5×5 panel per output phase
/// (even/odd row × even/odd column of the 2× map), each tap coloured by the one of the nine 3×3 taps it is merged into.
/// </summary>
public static class TapMergePicture
{
    /// <summary>One colour per 3×3 tap (row s, column t), index s·3 + t: distinct hues, dark to light across a row.</summary>
    public static readonly SKColor[] Colours =
    [
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c),
        new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd), new(0x8c, 0x56, 0x4b),
        new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22),
    ];

    /// <summary>The 3×3 tap that 5×5 tap (row <paramref name="dy"/>, column <paramref name="dx"/>) of phase (a, b) merges into.</summary>
    public static (int S, int T) MergedTap(int a, int b, int dy, int dx)
    {
        int Source(int phase, int d) => Enumerable.Range(0, 3).Single(s => SubPixel.Taps[phase, s, d] == 1);
        return (Source(a, dy), Source(b, dx));
    }

    /// <summary>
    /// The four phases (a, b) = (0, 0), (0, 1), (1, 0), (1, 1) left to right, then the 3×3 kernel's own colours;
    /// <paramref name="cell"/> pixels per tap.
    /// </summary>
    public static PngImage ToPng(int cell = 18)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cell, 4);
        const int gap = 2;
        var panel = 5 * cell;
        var width = 5 * panel + 6 * 2 * cell;
        var height = panel + 2 * cell;
        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { IsAntialias = false };
        void Tap(int left, int top, SKColor colour)
        {
            paint.Color = colour;
            canvas.DrawRect(left + gap / 2, top + gap / 2, cell - gap, cell - gap, paint);
        }
        for (var p = 0; p < 4; p++)
        {
            var (a, b) = (p / 2, p % 2);
            var left = 2 * cell + p * (panel + 2 * cell);
            for (var dy = 0; dy < 5; dy++)
                for (var dx = 0; dx < 5; dx++)
                {
                    var (s, t) = MergedTap(a, b, dy, dx);
                    Tap(left + dx * cell, cell + dy * cell, Colours[s * 3 + t]);
                }
        }
        var kernelLeft = 2 * cell + 4 * (panel + 2 * cell) + cell;
        for (var s = 0; s < 3; s++)
            for (var t = 0; t < 3; t++)
                Tap(kernelLeft + t * cell, cell + (s + 1) * cell, Colours[s * 3 + t]);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return new PngImage(data.ToArray(),
            "5×5 taps of each output phase (a, b) = (0,0), (0,1), (1,0), (1,1), coloured by the 3×3 tap (right) they are summed into");
    }
}
