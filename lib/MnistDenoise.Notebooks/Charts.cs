using Plotly.NET;

namespace MnistDenoise.Notebooks;

/// <summary>
/// Interactive Plotly.NET charts (displayed through Plotly.NET.Interactive's formatter) for the few shapes the
/// notebooks need. Built from plotly.js trace and layout objects, so notebook code never touches F# option types.
/// </summary>
public static class Charts
{
    /// <summary>A bar chart: one bar per label.</summary>
    public static GenericChart Bars(IReadOnlyList<string> labels, IReadOnlyList<double> values, string title, string xTitle, string yTitle)
    {
        var trace = new Trace2D("bar");
        trace.SetProperty("x", labels.ToArray());
        trace.SetProperty("y", values.ToArray());
        return WithLayout(GenericChart.ofTraceObject(false, trace), title, xTitle, yTitle);
    }

    /// <summary>
    /// A histogram of <paramref name="values"/> over [<paramref name="min"/>, <paramref name="max"/>] in
    /// <paramref name="bins"/> equal bins, counted here (not in the browser) so the stored chart stays small.
    /// </summary>
    public static GenericChart Histogram(IEnumerable<float> values, int bins, double min, double max, string title, string xTitle, bool logCounts = false)
    {
        var counts = HistogramCounts(values, bins, min, max);
        var width = (max - min) / bins;
        var trace = new Trace2D("bar");
        trace.SetProperty("x", Enumerable.Range(0, bins).Select(i => Math.Round(min + (i + 0.5) * width, 6)).ToArray());
        trace.SetProperty("y", counts);
        trace.SetProperty("width", width);
        var chart = WithLayout(GenericChart.ofTraceObject(false, trace), title, xTitle, logCounts ? "count (log scale)" : "count");
        if (logCounts) SetAxis(chart, "yaxis", "count (log scale)", "log");
        return chart;
    }

    /// <summary>Counts of <paramref name="values"/> in <paramref name="bins"/> equal bins over [min, max]; the maximum falls in the last bin.</summary>
    public static long[] HistogramCounts(IEnumerable<float> values, int bins, double min, double max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        if (!(max > min)) throw new ArgumentException("The histogram's range needs max > min.");
        var counts = new long[bins];
        foreach (var v in values)
        {
            if (v < min || v > max) continue;
            var bin = (int)((v - min) / (max - min) * bins);
            counts[Math.Min(bin, bins - 1)]++;
        }
        return counts;
    }

    /// <summary>One or more lines sharing the x axis; each series is (name, x values, y values).</summary>
    public static GenericChart Lines(IEnumerable<(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)> series, string title, string xTitle, string yTitle)
    {
        var charts = series.Select(s =>
        {
            var trace = new Trace2D("scatter");
            trace.SetProperty("mode", "lines");
            trace.SetProperty("name", s.Name);
            trace.SetProperty("x", s.X.ToArray());
            trace.SetProperty("y", s.Y.ToArray());
            return GenericChart.ofTraceObject(false, trace);
        }).ToArray();
        return WithLayout(GenericChart.combine(charts), title, xTitle, yTitle);
    }

    private static GenericChart WithLayout(GenericChart chart, string title, string xTitle, string yTitle)
    {
        var layout = new Layout();
        layout.SetProperty("title", new Dictionary<string, object> { ["text"] = title });
        layout.SetProperty("xaxis", new Dictionary<string, object> { ["title"] = new Dictionary<string, object> { ["text"] = xTitle } });
        layout.SetProperty("yaxis", new Dictionary<string, object> { ["title"] = new Dictionary<string, object> { ["text"] = yTitle } });
        layout.SetProperty("width", 700);
        layout.SetProperty("height", 400);
        return GenericChart.setLayout(layout, chart);
    }

    private static void SetAxis(GenericChart chart, string axis, string title, string type)
    {
        var layout = GenericChart.getLayout(chart);
        layout.SetProperty(axis, new Dictionary<string, object> { ["title"] = new Dictionary<string, object> { ["text"] = title }, ["type"] = type });
    }
}
