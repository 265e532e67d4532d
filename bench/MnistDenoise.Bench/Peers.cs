using System.Globalization;
using System.Text.Json.Nodes;
using MnistDenoise.Runtime;
using static MnistDenoise.Bench.ChildProcess;
using static MnistDenoise.Bench.Progress;

namespace MnistDenoise.Bench;

/// <summary>What the child processes measured; a null or empty entry was skipped (and said why).</summary>
/// <param name="DefaultMalloc">Library step times under glibc's default allocator.</param>
/// <param name="Torch">The PyTorch runs of <c>bench/torch_step.py</c>.</param>
/// <param name="Kernel">Trainer step times inside a notebook kernel.</param>
/// <param name="Memory">Peak and lasting RSS of training plus evaluation.</param>
/// <param name="Neighbours">The step idle and beside a busy neighbour, per OpenMP wait setting.</param>
internal sealed record PeerResults(List<double>? DefaultMalloc, List<TorchRun> Torch, List<double>? Kernel, MemoryUse? Memory, List<NeighbourResult> Neighbours)
{
    public static readonly PeerResults None = new(null, [], null, null, []);
}

/// <summary>One run of <c>bench/torch_step.py</c>: the same step in PyTorch.</summary>
internal sealed record TorchRun(string Precision, string Graph, string Version, List<double>? TrainMs, List<double>? ForwardMs, string LogitsDiff, string GradDiff)
{
    public static TorchRun From(string precision, string graph, JsonObject json) => new(precision, graph, json["torch"]?.ToString() ?? "",
        Doubles(json["train_ms"]), Doubles(json["forward_ms"]), json["subpixel_logits_max_abs_diff"]?.ToString() ?? "", json["subpixel_grad_max_rel_diff"]?.ToString() ?? "");
}

/// <summary>
/// The step outside this process: glibc's default allocator, PyTorch (literal and sub-pixel graph), a notebook
/// kernel, memory, the busy neighbour.
/// </summary>
internal static class Peers
{
    // PyTorch children: the tutorial's literal graph in fp32 (the goals' baseline) and the same sub-pixel form as the
    // library's fast graph, in fp32 and bf16.
    private static readonly (string Precision, string Graph)[] TorchRuns = [("fp32", "literal"), ("fp32", "subpixel"), ("bf16", "subpixel")];

    public static PeerResults Run(BenchSettings s, string? python, bool bf16)
    {
        var defaultMalloc = Doubles(RunWorker("train-default-malloc", s)?["train_ms"]);
        var torch = new List<TorchRun>();
        foreach (var (precision, graph) in bf16 ? TorchRuns : TorchRuns.Where(r => r.Precision == "fp32"))
            if (TorchPeer(python, s, precision, graph) is { } json) torch.Add(TorchRun.From(precision, graph, json));
        var kernel = Doubles(NotebookKernel(s)?["train_ms"]);
        var memory = MemoryUse.From(RunWorker("memory", s));
        return new PeerResults(defaultMalloc, torch, kernel, memory, BusyNeighbour.Run(s));
    }

    private static JsonObject? TorchPeer(string? python, BenchSettings s, string precision, string graph)
    {
        var script = RepositoryFile("bench/torch_step.py");
        if (script is null) return Skipped("PyTorch peer skipped: bench/torch_step.py not found (run bench from a clone of the repository).");
        var candidates = python is not null ? [python] : new[] { "python3", "/usr/bin/python3" };
        var interpreter = candidates.FirstOrDefault(p => RunJson(p, ["-c", "import torch, json; print(json.dumps({'v': torch.__version__}))"], null, out _) is not null);
        if (interpreter is null)
            return Skipped($"PyTorch peer skipped: `{string.Join("` / `", candidates)} -c \"import torch\"` failed. On Debian: sudo apt-get install python3-torch.");
        Step($"child: PyTorch ({interpreter}), {precision}, {graph} graph");
        // The library's allocator and OpenMP wait settings, given to Python the only way it takes them.
        var env = new Dictionary<string, string?>
        {
            ["GLIBC_TUNABLES"] = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647",
            ["GOMP_SPINCOUNT"] = OpenMpSettings.Native("GOMP_SPINCOUNT"),
            ["OMP_WAIT_POLICY"] = OpenMpSettings.Native("OMP_WAIT_POLICY"),
        };
        List<string> args = [script, .. s.Arguments(), "--warmup", BenchSettings.Warmup.ToString(CultureInfo.InvariantCulture), "--precision", precision, "--graph", graph];
        if (precision == "fp32" && graph == "literal") args.Add("--forward");
        return RunJson(interpreter, args, env, out var error) ?? Skipped($"PyTorch peer ({precision}, {graph}) failed: {error}");
    }

    // The library's Trainer inside a .NET Interactive kernel, run headless by notebook-runner from the Release build.
    private static JsonObject? NotebookKernel(BenchSettings s)
    {
        var notebook = RepositoryFile("bench/kernel-step.ipynb");
        var runner = RepositoryFile("cli/NotebookRunner/bin/Release/net10.0/notebook-runner.dll");
        var library = RepositoryFile("lib/MnistDenoise/bin/Release/net10.0/MnistDenoise.dll");
        if (notebook is null || runner is null || library is null)
            return Skipped("Notebook kernel skipped: build the solution first (dotnet build MnistDenoise.slnx -c Release), from a clone of the repository.");
        var folder = Directory.CreateTempSubdirectory("mnist-denoise-bench-");
        try
        {
            var result = Path.Combine(folder.FullName, "kernel-step.json");
            Step("child: notebook kernel");
            _ = RunJson("dotnet", [runner, "run", notebook, "-o", folder.FullName, "-p", $"steps={s.Steps * s.Rounds}",
                "-p", $"warmup={BenchSettings.Warmup}", "-p", $"batchSize={s.Batch}", "-p", $"threads={s.Threads}", "-p", $"resultPath={result}"], null, out var error, expectJson: false);
            return File.Exists(result) ? JsonNode.Parse(File.ReadAllText(result))!.AsObject() : Skipped($"Notebook kernel run failed: {error}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
