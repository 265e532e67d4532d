using MnistDenoise.Model;
using MnistDenoise.Runtime;
using Spectre.Console;
using static MnistDenoise.Bench.Numbers;
using static TorchSharp.torch;

namespace MnistDenoise.Bench;

// The busy neighbour, inference, data and memory, and issue 10's goals.
internal sealed partial class BenchReport
{
    private Table? NeighbourTable()
    {
        if (_r.Peers.Neighbours.Count == 0) return null;
        var t = new Table().Border(TableBorder.Markdown)
            .Title($"Busy neighbour: the library's fp32 step, idle and beside one process spinning on one core ({CpuFeatures.Cores} core(s); each row a child process)")
            .AddColumns("OpenMP wait setting", "threads", "idle ms/step", "busy ms/step", "busy / idle");
        foreach (var r in _r.Peers.Neighbours)
        {
            var (idle, busy) = (Median(r.Idle), Median(r.Busy));
            t.AddRow(r.Setting.Label, r.Setting.Threads.ToString(Inv), F(idle, "0"), F(busy, "0"), F(busy / idle, "0.00") + "×");
        }
        return t;
    }

    private Table InferenceTable()
    {
        var inference = _r.Inference;
        var t = new Table().Border(TableBorder.Markdown)
            .Title($"Inference, batch {inference.BatchSize} (median of {inference.Passes} passes, engines alternating; one model, exported to ONNX in memory)")
            .AddColumns("engine", "ms per batch", "images/s");
        t.AddRow("TorchSharp (fast graph, fp32, inference mode)", F(inference.TorchMsPerBatch, "0.0"), F(inference.TorchImagesPerSecond, "0"));
        t.AddRow("ONNX Runtime (CPU provider; the exported literal graph)", F(inference.OnnxMsPerBatch, "0.0"), F(inference.OnnxImagesPerSecond, "0"));
        return t;
    }

    private Table MemoryTable()
    {
        var m = new Table().Border(TableBorder.Markdown).Title("Data and memory").AddColumns("measure", "value");
        if (_r.Loading is { } loading)
        {
            m.AddRow("load MNIST from .gz (decompress, verify SHA-256, convert)", F(loading.GzSeconds, "0.00") + " s");
            m.AddRow("load MNIST from raw IDX (verify, convert)", F(loading.RawSeconds, "0.00") + " s");
        }
        if (_r.Peers.Memory is { } memory)
        {
            m.AddRow("peak RSS, training (20 steps) + evaluation of all 10,000 test images, one process", F(memory.PeakRssMib, "0") + " MiB");
            m.AddRow("RSS after each of 3 trainings (20 steps + evaluation) in one process", string.Join(" → ", memory.RssAfterRunsMib.Select(a => F(a, "0"))) + " MiB");
            m.AddRow("evaluation of 10,000 test images", F(memory.EvalSeconds, "0.0") + " s");
        }
        return m;
    }

    // Median ms of the library-layout training step of this graph and precision at the run's thread count.
    private double StepMs(GraphForm graph, ScalarType type) =>
        _r.Rounds.Configs.FirstOrDefault(c => c.Graph == graph && c.Compute == type && c.Train && c.Threads == _s.Threads && c.LibraryLayout) is { } c
            ? Median(_r.Rounds.Times[c]) : double.NaN;

    // Issue 10's goals, as ratios of medians from this one run.
    private Table GoalsTable()
    {
        var fastFp32 = StepMs(GraphForm.Fast, ScalarType.Float32);
        var goals = new Table().Border(TableBorder.Markdown).Title("Goals (issue 10; ratios from this run)").AddColumns("measure", "goal", "measured", "met");
        void Goal(string measure, string goal, double value, string format, Func<double, bool> met) =>
            goals.AddRow(measure, goal, F(value, format), double.IsFinite(value) ? met(value) ? "yes" : "no" : "n/a");
        Goal("fp32 step, fast graph vs PyTorch's literal graph (bench/torch_step.py, same settings)", "≥ 1.5×", TorchMs("fp32", "literal") / fastFp32, "0.00×", v => v >= 1.5);
        Goal("fp32 step, fast vs the project's own literal graph", "≥ 1.5×", StepMs(GraphForm.Literal, ScalarType.Float32) / fastFp32, "0.00×", v => v >= 1.5);
        var neighbour = _r.Peers.Neighbours.FirstOrDefault(n => n.Setting.IsLibraryDefault && n.Setting.Threads == _s.Threads);
        Goal($"step with one busy neighbour vs idle, {_s.Threads} thread(s), library's OpenMP default", "≤ 2.0× slower",
            neighbour is null ? double.NaN : Median(neighbour.Busy) / Median(neighbour.Idle), "0.00×", v => v <= 2.0);
        Goal("bf16 fast vs PyTorch fp32 literal", "≥ 2.5×", TorchMs("fp32", "literal") / StepMs(GraphForm.Fast, ScalarType.BFloat16), "0.00×", v => v >= 2.5);
        Goal("fp32 fast vs PyTorch running the same sub-pixel form", "≥ 1.0×", TorchMs("fp32", "subpixel") / fastFp32, "0.00×", v => v >= 1.0);
        var fastGFlops = _s.Batch * 1000 / fastFp32 * _forward.PerImage("fast", train: true) / 1e9;
        Goal("fp32 fast step as % of the measured oneDNN fp32 ceiling", "≥ 60%",
            100 * fastGFlops / (_ceilings.FirstOrDefault(c => c.Name == Ceiling.Conv && c.Precision == "fp32" && c.Threads == _s.Threads)?.GFlops ?? double.NaN), "0'%'", v => v >= 60);
        goals.AddRow("two-epoch `train` wall time, fast vs literal, one after the other", "≤ 0.65×", "see docs/performance.md (full runs)", "");
        goals.AddRow("full-length test PSNR, fast vs literal (same seed)", "within 0.05 dB", "see docs/performance.md (full runs)", "");
        return goals;
    }
}
