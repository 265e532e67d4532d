using System.Text.Json.Nodes;
using MnistDenoise.Runtime;
using static TorchSharp.torch;

namespace MnistDenoise.Bench;

/// <summary>One OpenMP wait setting; a null variable is removed from the child's environment.</summary>
internal sealed record WaitSetting(string Name, string? WaitPolicy, string? SpinCount, int Threads)
{
    public bool IsLibraryDefault => WaitPolicy is null && SpinCount == OpenMpSettings.DefaultSpinCount;
    public string Label => Name + (IsLibraryDefault ? " (library default)" : "");
}

/// <summary>The library's step times under one wait setting, idle and beside the neighbour.</summary>
internal sealed record NeighbourResult(WaitSetting Setting, List<double> Idle, List<double> Busy);

/// <summary>
/// The training step with a busy neighbour: on a machine with as many cores as intra-op threads, one other busy process
/// takes a core away, and libgomp's threads spin-wait at every barrier for the sibling that is not running (issue 10:
/// 4.8× slower with 2 threads on 2 cores). Each OpenMP wait setting runs in its own child process, because libgomp reads
/// its environment only once, when libtorch loads; the child measures the step idle and with a <see cref="Spinner"/>
/// beside it.
/// </summary>
internal static class BusyNeighbour
{
    // libgomp's own spin count when neither variable is set (libgomp/env.c: 300,000 spins, "3 msec"); set explicitly,
    // because without it the library would apply its own default in the child.
    private const string LibgompDefaultSpinCount = "300000";

    internal static List<WaitSetting> WaitSettings(int threads)
    {
        var list = new List<WaitSetting>();
        if (threads > 1)
        {
            list.Add(new($"libgomp default (GOMP_SPINCOUNT={LibgompDefaultSpinCount})", null, LibgompDefaultSpinCount, threads));
            list.Add(new("OMP_WAIT_POLICY=passive", "passive", null, threads));
            foreach (var count in new[] { "0", "1000", "10000", "100000" }.Append(OpenMpSettings.DefaultSpinCount).Distinct())
                list.Add(new($"GOMP_SPINCOUNT={count}", null, count, threads));
        }
        // One thread has no sibling to wait for, so the wait setting cannot matter: one row, libgomp's default.
        list.Add(new($"libgomp default (GOMP_SPINCOUNT={LibgompDefaultSpinCount})", null, LibgompDefaultSpinCount, 1));
        return list;
    }

    /// <summary>In the parent: one child per wait setting; the settings whose child failed are left out.</summary>
    public static List<NeighbourResult> Run(BenchSettings s)
    {
        var results = new List<NeighbourResult>();
        foreach (var w in WaitSettings(s.Threads))
        {
            var env = new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = w.WaitPolicy, ["GOMP_SPINCOUNT"] = w.SpinCount };
            var json = ChildProcess.RunWorker("neighbour", s with { Threads = w.Threads }, env, $"{w.Label}, {w.Threads} thread(s)");
            if (ChildProcess.Doubles(json?["idle_ms"]) is { Count: > 0 } idle && ChildProcess.Doubles(json?["busy_ms"]) is { Count: > 0 } busy)
                results.Add(new NeighbourResult(w, idle, busy));
        }
        return results;
    }

    /// <summary>In the child: the library's step, idle and with a spinning neighbour, alternating in every round.</summary>
    public static JsonObject Measure(BenchSettings s)
    {
        NativeAllocator.TuneForTraining();
        using var bench = new StepBench(s.Batch);
        var c = StepConfig.Library(s.Threads);
        for (var i = 0; i < BenchSettings.Warmup; i++) bench.Step(c);
        var perPhase = Math.Max(1, s.Steps / 4);
        var idle = new JsonArray();
        var busy = new JsonArray();
        for (var round = 0; round < s.Rounds; round++)
        {
            for (var i = 0; i < perPhase; i++) idle.Add(bench.Step(c));
            using var neighbour = Spinner.Start();
            for (var i = 0; i < perPhase; i++) busy.Add(bench.Step(c));
        }
        return new JsonObject { ["idle_ms"] = idle, ["busy_ms"] = busy, ["openmp"] = OpenMpSettings.Status, ["threads"] = get_num_threads() };
    }
}
