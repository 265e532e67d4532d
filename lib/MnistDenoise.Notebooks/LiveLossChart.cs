using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace MnistDenoise.Notebooks;

/// <summary>
/// A loss chart that grows while training runs (d2l's "progress board"): displayed once, then replaced in place
/// every <see cref="UpdateEvery"/> steps, so a notebook keeps one chart however long training takes.
/// Outside a notebook kernel (an exported app) it only collects the points.
/// </summary>
public sealed class LiveLossChart
{
    private readonly List<double> _steps = [];
    private readonly List<double> _losses = [];
    private readonly string _title;
    private DisplayedValue? _displayed;

    /// <summary>A chart titled <paramref name="title"/>, redrawn every <paramref name="updateEvery"/> points.</summary>
    public LiveLossChart(string title = "Training loss", int updateEvery = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(updateEvery);
        _title = title;
        UpdateEvery = updateEvery;
    }

    /// <summary>How many points are added between two redraws.</summary>
    public int UpdateEvery { get; }

    /// <summary>The points so far: global step and loss.</summary>
    public IReadOnlyList<(double Step, double Loss)> Points => _steps.Zip(_losses).ToArray();

    /// <summary>Shows the (empty) chart in the running cell's output; returns this chart.</summary>
    public LiveLossChart Show()
    {
        _displayed = KernelInvocationContext.Current?.Display(ToChart(), HtmlFormatter.MimeType);
        return this;
    }

    /// <summary>Adds one point; redraws every <see cref="UpdateEvery"/> points.</summary>
    public void Add(double step, double loss)
    {
        _steps.Add(step);
        _losses.Add(loss);
        if (_steps.Count % UpdateEvery == 0) Redraw();
    }

    /// <summary>Redraws with every point added so far (call it once training stops).</summary>
    public void Redraw() => _displayed?.Update(ToChart());

    /// <summary>The chart as it is now: every step's loss and its running mean over <see cref="UpdateEvery"/> steps.</summary>
    public GenericChart ToChart()
    {
        var mean = new double[_losses.Count];
        double sum = 0;
        for (var i = 0; i < _losses.Count; i++)
        {
            sum += _losses[i];
            if (i >= UpdateEvery) sum -= _losses[i - UpdateEvery];
            mean[i] = sum / Math.Min(i + 1, UpdateEvery);
        }
        var title = _steps.Count == 0 ? _title : $"{_title}: {_losses[^1]:0.0000} at step {_steps[^1]:0}";
        return Charts.Lines(
            [("loss per step", _steps, _losses), ($"mean of last {UpdateEvery}", _steps, mean)],
            title, "step", "loss (sigmoid cross-entropy)");
    }
}
