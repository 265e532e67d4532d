using System.Text.Json.Nodes;
using MnistDenoise.Runtime;
using static TorchSharp.torch;

namespace MnistDenoise.Bench;

/// <summary>
/// The child side of <c>bench --worker JOB</c>: one measurement that needs a process of its own, answered as one
/// JSON line on stdout for <see cref="ChildProcess.RunWorker"/>.
/// </summary>
internal static class Workers
{
    public static int Run(string job, BenchSettings s)
    {
        LibTorchLoader.EnsureLoaded();
        set_num_threads(s.Threads);
        JsonObject result;
        switch (job)
        {
            case "train-default-malloc":
                result = DefaultMalloc(s);
                break;
            case "memory":
                NativeAllocator.TuneForTraining(); // as `train` runs
                result = MemoryUse.Measure(s);
                break;
            case "neighbour":
                result = BusyNeighbour.Measure(s);
                break;
            default:
                Console.Error.WriteLine($"Unknown worker '{job}'.");
                return BenchCommand.Usage;
        }
        Console.WriteLine(result.ToJsonString());
        return BenchCommand.Ok;
    }

    // The library's step under glibc's own allocator settings: this child does not tune the allocator, on purpose.
    private static JsonObject DefaultMalloc(BenchSettings s)
    {
        using var bench = new StepBench(s.Batch);
        var c = StepConfig.Library(s.Threads);
        for (var i = 0; i < BenchSettings.Warmup; i++) bench.Step(c);
        return new JsonObject { ["train_ms"] = new JsonArray([.. Enumerable.Range(0, s.Steps * s.Rounds).Select(_ => (JsonNode)bench.Step(c))]) };
    }
}
