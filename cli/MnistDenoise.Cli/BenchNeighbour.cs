using System.Diagnostics;
using System.Text.Json.Nodes;
using MnistDenoise.Runtime;
using Spectre.Console;
using static TorchSharp.torch;

namespace MnistDenoise.Cli;

// The training step with a busy neighbour: on a machine with as many cores as intra-op threads, one other busy process
// takes a core away, and libgomp's threads spin-wait at every barrier for the sibling that is not running (issue 10:
// 4.8× slower with 2 threads on 2 cores). Each OpenMP wait setting runs in its own child process, because libgomp reads
// its environment only once, when libtorch loads; the child measures the step idle and with a spinning process beside it.
internal static partial class BenchCommand
{
    /// <summary>One OpenMP wait setting; a null variable is removed from the child's environment.</summary>
    internal sealed record WaitSetting(string Name, string? WaitPolicy, string? SpinCount, int Threads)
    {
        public bool IsLibraryDefault => WaitPolicy is null && SpinCount == OpenMpSettings.DefaultSpinCount;
        public string Label => Name + (IsLibraryDefault ? " (library default)" : "");
    }

    internal sealed record NeighbourResult(WaitSetting Setting, List<double> Idle, List<double> Busy);

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

    private static List<NeighbourResult> Neighbours(Settings s)
    {
        var results = new List<NeighbourResult>();
        foreach (var w in WaitSettings(s.Threads))
        {
            var env = new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = w.WaitPolicy, ["GOMP_SPINCOUNT"] = w.SpinCount };
            var json = Child("neighbour", s with { Threads = w.Threads }, env, $"{w.Label}, {w.Threads} thread(s)");
            if (Doubles(json?["idle_ms"]) is { Count: > 0 } idle && Doubles(json?["busy_ms"]) is { Count: > 0 } busy)
                results.Add(new NeighbourResult(w, idle, busy));
        }
        return results;
    }

    // In the child: the library's step, idle and with a spinning neighbour, alternating in every round.
    private static JsonObject NeighbourRun(Settings s)
    {
        NativeAllocator.TuneForTraining();
        using var bench = new StepBench(s.Batch);
        var c = LibraryConfig(s.Threads);
        for (var i = 0; i < Warmup; i++) bench.Step(c);
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

    /// <summary>A child process that keeps one core busy (one thread in an endless loop) until disposed.</summary>
    private sealed class Spinner : IDisposable
    {
        private readonly Process _process;

        private Spinner(Process process) => _process = process;

        public static Spinner Start()
        {
            var (file, prefix) = Self();
            var info = new ProcessStartInfo(file)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in prefix.Concat(["bench", "--worker", "spin"])) info.ArgumentList.Add(a);
            var process = Process.Start(info)!;
            // Measure only once it spins.
            if (process.StandardOutput.ReadLine() != "spinning")
            {
                process.Kill();
                throw new InvalidOperationException("The busy-neighbour process did not start: " + process.StandardError.ReadToEnd());
            }
            return new Spinner(process);
        }

        public void Dispose()
        {
            try { _process.Kill(); _process.WaitForExit(); }
            catch (InvalidOperationException) { } // already gone
            _process.Dispose();
        }
    }

    // The neighbour itself: spin on one thread. It stops when its parent closes our stdin (also when the parent dies,
    // so a crashed bench never leaves a core spinning) and after 10 minutes at most.
    private static int Spin()
    {
        var stop = 0;
        var watcher = new Thread(() =>
        {
            try { Console.In.ReadToEnd(); } catch (IOException) { }
            Volatile.Write(ref stop, 1);
        })
        { IsBackground = true };
        watcher.Start();
        Console.WriteLine("spinning");
        Console.Out.Flush();
        var deadline = Stopwatch.StartNew();
        ulong x = 1;
        while (Volatile.Read(ref stop) == 0 && deadline.Elapsed < TimeSpan.FromMinutes(10))
            for (var i = 0; i < 1_000_000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
        return x == 42 ? 1 : CommandLineApp.Ok;
    }

    private static void NeighbourTable(Settings s, List<NeighbourResult> results)
    {
        if (results.Count == 0) return;
        var t = new Table().Border(TableBorder.Markdown)
            .Title($"Busy neighbour: the library's fp32 step, idle and beside one process spinning on one core ({CpuFeatures.Cores} core(s); each row a child process)")
            .AddColumns("OpenMP wait setting", "threads", "idle ms/step", "busy ms/step", "busy / idle");
        foreach (var r in results)
        {
            var (idle, busy) = (Median(r.Idle), Median(r.Busy));
            t.AddRow(r.Setting.Label, r.Setting.Threads.ToString(Inv), F(idle, "0"), F(busy, "0"), F(busy / idle, "0.00") + "×");
        }
        AnsiConsole.Write(t);
    }
}
