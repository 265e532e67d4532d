using MnistDenoise.Runtime;
using Spectre.Console;
using TorchSharp;
using static MnistDenoise.Bench.Numbers;

namespace MnistDenoise.Bench;

/// <summary>
/// The bench's tables, in Markdown so they paste into docs/performance.md as they are: the limits and the training
/// step here; the busy neighbour, inference, data and memory, and the goals in BenchReport.Topics.cs.
/// </summary>
internal sealed partial class BenchReport
{
    private readonly BenchResults _r;
    private readonly BenchSettings _s;
    private readonly List<Ceiling> _ceilings;
    private readonly (double Literal, double SubPixel, double Fast) _forward = GraphFlops.ForwardFlopsPerImage();

    public BenchReport(BenchResults results)
    {
        _r = results;
        _s = results.Settings;
        _ceilings = [.. results.Rounds.Ceilings.GroupBy(r => (r.Name, r.Precision, r.Threads)).Select(grp => grp.MaxBy(r => r.GFlops)!)];
    }

    /// <summary>The first lines: what ran, where, with which settings.</summary>
    public static void Header(BenchSettings s, BenchMachine machine)
    {
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]mnist-denoise bench[/] {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {CpuFeatures.Cores} core(s) available to this process, bf16 instructions: {CpuFeatures.HasBFloat16?.ToString() ?? "unknown"} · TorchSharp {typeof(torch).Assembly.GetName().Version} · allocator tuned: {NativeAllocator.IsTuned} · OpenMP: {OpenMpSettings.Status ?? "n/a"} · batch {s.Batch}, {s.Threads} thread(s), {s.Rounds} round(s) × {s.Steps} step(s) after {BenchSettings.Warmup} warm-up steps · load average {LoadAverage()}");
        AnsiConsole.WriteLine(machine.Summary());
    }

    private static string LoadAverage() =>
        OperatingSystem.IsLinux() && File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public void Print()
    {
        AnsiConsole.Write(LimitsTable());
        AnsiConsole.Write(StepTable());
        // Every PyTorch child checks the two forms against each other in fp32 before timing (it fails otherwise).
        if (_r.Peers.Torch.FirstOrDefault() is { } check)
            AnsiConsole.WriteLine($"PyTorch's sub-pixel form against its literal graph (fp32, same weights and batch): logits max abs diff " +
                $"{check.LogitsDiff}, weight gradients max relative diff {check.GradDiff}");
        if (NeighbourTable() is { } neighbours) AnsiConsole.Write(neighbours);
        AnsiConsole.Write(InferenceTable());
        AnsiConsole.WriteLine($"Largest difference between the two engines' output pixels: {_r.Inference.MaxAbsDifference:E1}");
        AnsiConsole.Write(MemoryTable());
        AnsiConsole.Write(GoalsTable());
        AnsiConsole.MarkupLineInterpolated($"load average at the end: {LoadAverage()}");
    }

    // "The limit" of a precision and thread count: the best ceiling measured for it.
    private double Limit(string precision, int threads) =>
        _ceilings.Where(c => c.Precision == precision && c.Threads == threads).Select(c => c.GFlops).DefaultIfEmpty(double.NaN).Max();

    private Table LimitsTable()
    {
        var machine = _r.Machine;
        var clock = machine.Clock;
        var l = new Table().Border(TableBorder.Markdown).Title("The limits (measured: best of every round; theoretical: from the instruction set)")
            .AddColumns("limit", "precision", "threads", "GFLOP/s");
        foreach (var c in _ceilings.OrderBy(c => c.Precision).ThenByDescending(c => c.Threads).ThenBy(c => c.Name))
            l.AddRow(c.Name, c.Precision, c.Threads.ToString(Inv), F(c.GFlops, "0"));
        if (machine.Core is { } core)
            foreach (var precision in new[] { "fp32", "bf16" })
                foreach (var threads in _s.Threads == 1 ? new[] { 1 } : [_s.Threads, 1])
                {
                    var perCycle = precision == "fp32" ? core.Fp32FlopsPerCycle : core.Bf16FlopsPerCycle ?? double.NaN;
                    l.AddRow($"ISA peak: {Math.Min(threads, CpuFeatures.Cores)} core(s) × {F(perCycle, "0")} FLOP/cycle × {F(clock.GHz, "0.00")} GHz ({clock.Source})",
                        precision, threads.ToString(Inv), F(machine.Peak(precision, threads), "0"));
                }
        return l;
    }

    // Median ms per step of a PyTorch run (NaN if it did not run).
    private double TorchMs(string precision, string graph, bool forward = false) =>
        _r.Peers.Torch.FirstOrDefault(r => r.Precision == precision && r.Graph == graph) is { } r && (forward ? r.ForwardMs : r.TrainMs) is { Count: > 0 } ms
            ? Median(ms) : double.NaN;

    private Table StepTable()
    {
        var (s, rounds, peers) = (_s, _r.Rounds, _r.Peers);
        var library = Median(rounds.Times[rounds.Configs[0]]);
        var t = new Table().Border(TableBorder.Markdown)
            .Title($"Training step, batch {s.Batch} (FLOP per image, training = 3 × forward: literal graph {3 * _forward.Literal / 1e6:0} M (forward {_forward.Literal / 1e6:0.0}), " +
                   $"fast graph {3 * _forward.Fast / 1e6:0} M (forward {_forward.Fast / 1e6:0.0}), PyTorch's sub-pixel form {3 * _forward.SubPixel / 1e6:0} M; GFLOP/s counts what each graph computes)")
            .AddColumns("setting", "graph", "threads", "median ms/step", "images/s", "GFLOP/s", "% of limit", "% of ISA peak", "vs library fp32");
        void Row(string name, string graph, int threads, double ms, bool train, string precision)
        {
            var images = s.Batch * 1000 / ms;
            var gflops = images * _forward.PerImage(graph, train) / 1e9;
            t.AddRow(name, graph, threads.ToString(Inv), F(ms, "0"), F(images, "0"), F(gflops, "0"),
                F(100 * gflops / Limit(precision, threads), "0") + "%", F(100 * gflops / _r.Machine.Peak(precision, threads), "0") + "%",
                train ? F(library / ms, "0.00") + "×" : "");
        }
        foreach (var c in rounds.Configs)
            Row(c.Name, c.GraphName, c.Threads, Median(rounds.Times[c]), c.Train, c.Precision);
        Row("fp32 library, via Trainer (command line's path)", "fast", s.Threads, Median(rounds.Trainer), true, "fp32");
        if (peers.Kernel is { Count: > 0 }) Row("fp32 library, via Trainer in a notebook kernel", "fast", s.Threads, Median(peers.Kernel), true, "fp32");
        if (peers.DefaultMalloc is { Count: > 0 }) Row("fp32 library, glibc's default allocator (child)", "fast", s.Threads, Median(peers.DefaultMalloc), true, "fp32");
        foreach (var r in peers.Torch)
            Row($"PyTorch {r.Version} {r.Precision}{(r.Precision == "bf16" ? " mixed" : "")}, channels_last, {(r.Graph == "subpixel" ? "sub-pixel form" : "literal graph")} (child)",
                r.Graph == "subpixel" ? "sub-pixel" : "literal", s.Threads, TorchMs(r.Precision, r.Graph), true, r.Precision);
        if (double.IsFinite(TorchMs("fp32", "literal", forward: true))) Row("PyTorch forward only fp32 (child)", "literal", s.Threads, TorchMs("fp32", "literal", forward: true), false, "fp32");
        return t;
    }
}
