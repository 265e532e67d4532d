using MnistDenoise.Model;
using MnistDenoise.Runtime;
using Spectre.Console;

namespace MnistDenoise.Bench;

/// <summary>Everything one <c>bench</c> run measured, for <see cref="BenchReport"/>.</summary>
/// <param name="Settings">What it measured with.</param>
/// <param name="Machine">The CPU and its theoretical peak.</param>
/// <param name="Rounds">Ceilings and step times of this process.</param>
/// <param name="Peers">The child processes' measurements.</param>
/// <param name="Loading">MNIST loading times; null if skipped.</param>
/// <param name="Inference">TorchSharp against ONNX Runtime on the same model and batch.</param>
internal sealed record BenchResults(BenchSettings Settings, BenchMachine Machine, RoundResults Rounds, PeerResults Peers, LoadingTimes? Loading, InferenceTiming Inference);

/// <summary>The parent bench: measures topic by topic, then prints one table per topic.</summary>
internal static class BenchRun
{
    public static int Run(BenchSettings s, string? python, bool peers)
    {
        TorchProcess.Configure();
        // Markdown tables, pasted into docs/performance.md as they are: no wrapping when the output is redirected.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
        var bf16 = CpuFeatures.HasBFloat16 != false;
        var machine = BenchMachine.Describe();
        BenchReport.Header(s, machine);

        var rounds = InterleavedRounds.Measure(s, bf16);
        var children = peers ? Peers.Run(s, python, bf16) : PeerResults.None;
        var loading = LoadingTimes.Measure(s.MnistFolder);
        // Inference engines: TorchSharp's forward against ONNX Runtime on the same model (exported in memory) and batch.
        InferenceTiming inference;
        using (var model = new ConvAutoencoder(seed: 1)) inference = InferenceBenchmark.Compare(model, s.Batch);

        new BenchReport(new BenchResults(s, machine, rounds, children, loading, inference)).Print();
        return BenchCommand.Ok;
    }
}
