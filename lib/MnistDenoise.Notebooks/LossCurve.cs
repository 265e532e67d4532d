namespace MnistDenoise.Notebooks;

/// <summary>
/// A static picture of a loss curve (PNG, drawn with ScottPlot): the interactive chart's twin for places that do not
/// run scripts, such as GitHub's notebook view.
/// </summary>
public static class LossCurve
{
    /// <summary>A PNG of <paramref name="losses"/> against their 1-based step, <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    public static byte[] ToPng(IReadOnlyList<double> losses, int width = 640, int height = 320, string title = "Training loss per step")
    {
        ArgumentNullException.ThrowIfNull(losses);
        if (losses.Count < 2) throw new ArgumentException("A loss curve needs at least two points.", nameof(losses));
        var plot = new ScottPlot.Plot();
        var steps = Enumerable.Range(1, losses.Count).Select(i => (double)i).ToArray();
        plot.Add.ScatterLine(steps, losses.ToArray());
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss (mean sigmoid cross-entropy)");
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }
}
