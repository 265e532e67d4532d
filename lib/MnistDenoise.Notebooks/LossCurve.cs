using SkiaSharp;

namespace MnistDenoise.Notebooks;

/// <summary>
/// A static picture of a loss curve (PNG, drawn with SkiaSharp): the interactive chart's twin for places that do not
/// run scripts, such as GitHub's notebook view. Light grid lines mark tenths of the loss range; no text is drawn
/// (the caption carries the numbers).
/// </summary>
public static class LossCurve
{
    /// <summary>A PNG of <paramref name="losses"/> against their index, scaled to fill <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static byte[] ToPng(IReadOnlyList<double> losses, int width = 640, int height = 280)
    {
        ArgumentNullException.ThrowIfNull(losses);
        if (losses.Count < 2) throw new ArgumentException("A loss curve needs at least two points.", nameof(losses));
        const float margin = 12;
        var min = losses.Min();
        var max = losses.Max();
        if (max - min < 1e-12) max = min + 1;

        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var grid = new SKPaint { Color = new SKColor(225, 225, 225), StrokeWidth = 1 };
        for (var i = 0; i <= 10; i++)
        {
            var y = margin + i * (height - 2 * margin) / 10f;
            canvas.DrawLine(margin, y, width - margin, y, grid);
        }
        using var axis = new SKPaint { Color = new SKColor(120, 120, 120), StrokeWidth = 1.5f };
        canvas.DrawLine(margin, margin, margin, height - margin, axis);
        canvas.DrawLine(margin, height - margin, width - margin, height - margin, axis);

        using var path = new SKPath();
        for (var i = 0; i < losses.Count; i++)
        {
            var x = margin + i * (width - 2 * margin) / (losses.Count - 1f);
            var y = margin + (float)((max - losses[i]) / (max - min)) * (height - 2 * margin);
            if (i == 0) path.MoveTo(x, y); else path.LineTo(x, y);
        }
        using var line = new SKPaint { Color = new SKColor(31, 119, 180), StrokeWidth = 2, IsStroke = true, IsAntialias = true };
        canvas.DrawPath(path, line);

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
