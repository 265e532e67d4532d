using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Evaluation;
using MnistDenoise.Inference;
using MnistDenoise.Model;
using MnistDenoise.Runtime;
using MnistDenoise.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Cli;

/// <summary>
/// <c>mnist-denoise bench</c>: in one run, the machine's limits (the CPU named, its theoretical fp32/bf16 peak from the
/// instruction set, and measured ceilings: MKL's GEMM and oneDNN's convolution), the training step in every setting
/// the library chooses between (interleaved rounds in one process, so ratios are fair on a noisy machine), the same
/// step in PyTorch and inside a notebook kernel (child processes), the step beside a busy neighbour under several
/// OpenMP wait settings (BenchNeighbour.cs), forward-only speed, MNIST loading time and peak memory, then issue 10's
/// goals against those numbers.
/// </summary>
internal static partial class BenchCommand
{
    private const int Warmup = 3;
    private const int TwoEpochSteps = 550;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Timed steps per configuration and round.", DefaultValueFactory = _ => 8 }
            .Range(1, 10_000, "");
        var rounds = new Option<int>("--rounds") { Description = "Rounds; configurations alternate within each round.", DefaultValueFactory = _ => 2 }
            .Range(1, 100, "");
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 200 }
            .Range(1, 10_000, "The tutorial uses 200.");
        var threads = SharedOptions.Threads();
        var python = new Option<string?>("--python") { Description = "Python with PyTorch for the peer (default: python3, then /usr/bin/python3)." };
        var skipPeers = new Option<bool>("--no-peers") { Description = "Skip the child processes (PyTorch, notebook kernel, glibc defaults, memory, busy neighbour)." };
        var worker = new Option<string?>("--worker") { Hidden = true, Description = "Internal: run one measurement as a child process." };
        var command = new Command("bench", "Measure training speed against the machine's limits (ISA peak, oneDNN and GEMM ceilings) and PyTorch, with a busy neighbour, plus loading time and memory; prints one table per topic.")
        {
            steps, rounds, batchSize, threads, python, skipPeers, worker,
        };
        command.SetAction(parse =>
        {
            var settings = new Settings(parse.GetValue(steps), parse.GetValue(rounds), parse.GetValue(batchSize),
                parse.GetValue(threads) ?? CpuFeatures.Cores);
            if (parse.GetValue(worker) is "spin") return Spin();
            if (parse.GetValue(worker) is { } job) return Worker(job, settings);
            NativeAllocator.TuneForTraining();
            Run(settings, parse.GetValue(python), !parse.GetValue(skipPeers));
            return CommandLineApp.Ok;
        });
        return command;
    }

    private sealed record Settings(int Steps, int Rounds, int Batch, int Threads);

    // One way to run the training step: which graph form, precision, memory layout, kernel order and thread count.
    private sealed record StepConfig(string Name, GraphForm Graph, ScalarType Compute, bool ChannelsLast, bool ConvOrderKernels, int Threads, bool Train = true);

    // The step as the library runs it by default.
    private static StepConfig LibraryConfig(int threads) => new("fp32 (library)", GraphForm.Fast, ScalarType.Float32, true, true, threads);

    private static void Run(Settings s, string? python, bool peers)
    {
        LibTorchLoader.EnsureLoaded();
        // Markdown tables, pasted into docs/performance.md as they are: no wrapping when the output is redirected.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
        var bf16 = CpuFeatures.HasBFloat16 != false;
        var machine = BenchMachine.Describe();
        PrintMachine(s, machine);

        // 1. The limits: a GEMM and a large convolution through the same libtorch, measured in every round (best kept).
        var ceilings = new List<Ceiling>();

        // 2. The training step, interleaved.
        // The library's layout is channels-last activations with conv-order kernels; "literal" is the tutorial's graph
        // op for op, "fast" the library's default (the exact sub-pixel form of conv5 and conv6).
        var configs = new List<StepConfig>
        {
            new("fp32, library layout (library default)", GraphForm.Fast, ScalarType.Float32, true, true, s.Threads),
            new("fp32, library layout", GraphForm.Literal, ScalarType.Float32, true, true, s.Threads),
            new("fp32, NCHW, row-major TF kernels", GraphForm.Literal, ScalarType.Float32, false, false, s.Threads),
            new("fp32, library layout, 1 thread", GraphForm.Fast, ScalarType.Float32, true, true, 1),
        };
        if (bf16)
        {
            configs.Add(new("bf16 mixed, library layout", GraphForm.Fast, ScalarType.BFloat16, true, true, s.Threads));
            configs.Add(new("bf16 mixed, library layout", GraphForm.Literal, ScalarType.BFloat16, true, true, s.Threads));
            configs.Add(new("bf16 mixed, library layout, 1 thread", GraphForm.Fast, ScalarType.BFloat16, true, true, 1));
        }
        configs.Add(new("forward only fp32, inference mode", GraphForm.Fast, ScalarType.Float32, true, true, s.Threads, Train: false));
        if (bf16) configs.Add(new("forward only bf16, inference mode", GraphForm.Fast, ScalarType.BFloat16, true, true, s.Threads, Train: false));

        var times = configs.ToDictionary(c => c, _ => new List<double>());
        var trainerTimes = new List<double>();
        var mnist = Mnist.ReadDataSets(Mnist.DefaultDataDirectory, reshape: false);
        using (var bench = new StepBench(s.Batch))
        {
            foreach (var c in configs) for (var i = 0; i < Warmup; i++) bench.Step(c);
            for (var round = 0; round < s.Rounds; round++)
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]round {round + 1}/{s.Rounds}[/]");
                ceilings.AddRange(Ceiling.Measure(s.Threads, bf16));
                foreach (var c in configs)
                    for (var i = 0; i < s.Steps; i++) times[c].Add(bench.Step(c));
                set_num_threads(s.Threads);
                trainerTimes.AddRange(StepTimer.TrainerSteps(mnist.Train, new TrainingOptions { BatchSize = s.Batch, Threads = s.Threads }, Warmup, s.Steps));
            }
        }
        set_num_threads(s.Threads);

        // 3. Child processes: glibc's default allocator, PyTorch (literal and sub-pixel graph), a notebook kernel,
        // memory, the busy neighbour.
        List<double>? defaultMalloc = null, kernel = null;
        var torch = new List<TorchRun>();
        JsonObject? memory = null;
        var neighbours = new List<NeighbourResult>();
        if (peers)
        {
            defaultMalloc = Doubles(Child("train-default-malloc", s)?["train_ms"]);
            foreach (var (precision, graph) in bf16 ? TorchRuns : TorchRuns.Where(r => r.Precision == "fp32"))
                if (TorchPeer(python, s, precision, graph) is { } json) torch.Add(new TorchRun(precision, graph, json));
            kernel = Doubles(NotebookKernel(s)?["train_ms"]);
            memory = Child("memory", s);
            neighbours = Neighbours(s);
        }
        var loading = LoadingTimes();
        // Inference engines: TorchSharp's forward against ONNX Runtime on the same model (exported in memory) and batch.
        InferenceTiming inference;
        using (var model = new ConvAutoencoder(seed: 1)) inference = InferenceBenchmark.Compare(model, s.Batch);

        Report(s, machine, ceilings, configs, times, trainerTimes, defaultMalloc, torch, kernel, memory, loading, neighbours, inference);
    }

    // PyTorch children: the tutorial's literal graph in fp32 (the goals' baseline) and the same sub-pixel form as the
    // library's fast graph, in fp32 and bf16.
    private static readonly (string Precision, string Graph)[] TorchRuns = [("fp32", "literal"), ("fp32", "subpixel"), ("bf16", "subpixel")];

    private sealed record TorchRun(string Precision, string Graph, JsonObject Json);

    private static void PrintMachine(Settings s, BenchMachine machine)
    {
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]mnist-denoise bench[/] {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · {CpuFeatures.Cores} core(s) available to this process, bf16 instructions: {CpuFeatures.HasBFloat16?.ToString() ?? "unknown"} · TorchSharp {typeof(torch).Assembly.GetName().Version} · allocator tuned: {NativeAllocator.IsTuned} · OpenMP: {OpenMpSettings.Status ?? "n/a"} · batch {s.Batch}, {s.Threads} thread(s), {s.Rounds} round(s) × {s.Steps} step(s) after {Warmup} warm-up steps · load average {LoadAverage()}");
        AnsiConsole.WriteLine(machine.Summary());
    }

    private static string LoadAverage() =>
        OperatingSystem.IsLinux() && File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    // ---------- training step ----------

    private sealed class StepBench : IDisposable
    {
        private readonly Dictionary<bool, (ConvAutoencoder Model, TfAdamOptimizer Adam)> _models = [];
        private readonly Tensor _clean;
        private readonly Generator _noise = new(7);

        public StepBench(int batch)
        {
            _clean = rand(batch, 28, 28, 1, generator: new Generator(1));
            foreach (var convOrder in new[] { true, false })
            {
                var model = new ConvAutoencoder(seed: 1);
                if (!convOrder)
                    using (no_grad())
                        foreach (var (key, _) in ConvAutoencoder.WeightShapes)
                            model.weights[key] = new TorchSharp.Modules.Parameter(model.weights[key].contiguous());
                _models[convOrder] = (model, Ops.AdamOptimizer(model.parameters()));
            }
        }

        // The tutorial's step on a fixed batch: noise, forward, BCE, backward, Adam, read the loss.
        public double Step(StepConfig c)
        {
            set_num_threads(c.Threads);
            var (model, adam) = _models[c.ConvOrderKernels];
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var noisy = GaussianNoise.Apply(_clean, 0.5, _noise);
            if (!c.Train)
            {
                using var _ = inference_mode();
                model.forward(noisy, c.Compute, c.Graph).sum().item<float>();
                return clock.Elapsed.TotalMilliseconds;
            }
            adam.zero_grad();
            Tensor logits;
            if (c.ChannelsLast) logits = model.forward(noisy, c.Compute, c.Graph);
            else if (c.Graph == GraphForm.Literal) logits = ConvAutoencoder.Graph(noisy.permute(0, 3, 1, 2).contiguous(), model.weights, model.biases).permute(0, 2, 3, 1);
            else logits = ConvAutoencoder.FastGraph(noisy.permute(0, 3, 1, 2).contiguous(), model.weights, model.biases).permute(0, 2, 3, 1);
            var cost = Ops.cost(logits, _clean);
            cost.backward();
            adam.step();
            cost.item<float>();
            return clock.Elapsed.TotalMilliseconds;
        }

        public void Dispose()
        {
            foreach (var (model, adam) in _models.Values) { adam.Dispose(); model.Dispose(); }
            _clean.Dispose();
            _noise.Dispose();
        }
    }

    // FLOPs (2 per multiply-add) of one forward pass per image, from the graph's own layer shapes: h·w·out·(5·5·in) per
    // convolution for the literal graph. The fast graph (ConvAutoencoder.FastGraph) computes conv5 and conv6 (each after
    // an ×2 upsampling) as a 3×3 convolution of the small map with 4·out channels, (h/2)·(w/2)·4·out·(3·3·in), 9/25 of the
    // work; the output layer reads conv6's four phases directly, a 3×3 convolution from 4·in to 4·out channels on the
    // small map, (h/2)·(w/2)·4·out·(3·3·4·in), which includes structural zeros (36 taps per phase instead of 25).
    // 116.7 M and 59.4 M multiply-adds for the tutorial's network. bench/torch_step.py's sub-pixel form merges conv5 and
    // conv6 the same way but runs the output layer literally on the shuffled 28×28 map: 58.9 M.
    internal static (double Literal, double SubPixel, double Fast) ForwardFlopsPerImage()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var rows = model.Summary().Where(r => r.Parameters > 0).ToArray();
        double literal = 0, subPixel = 0, fast = 0;
        foreach (var (row, (key, w)) in rows.Zip(ConvAutoencoder.WeightShapes))
        {
            var (h, wd) = (row.OutputShape[1], row.OutputShape[2]);
            var flops = 2.0 * h * wd * w[3] * w[0] * w[1] * w[2];
            literal += flops;
            subPixel += key is "conv5" or "conv6" ? 2.0 * (h / 2) * (wd / 2) * 4 * w[3] * 3 * 3 * w[2] : flops;
            fast += key switch
            {
                "conv5" or "conv6" => 2.0 * (h / 2) * (wd / 2) * 4 * w[3] * 3 * 3 * w[2],
                "output" => 2.0 * (h / 2) * (wd / 2) * 4 * w[3] * 3 * 3 * 4 * w[2],
                _ => flops,
            };
        }
        return (literal, subPixel, fast);
    }

    // ---------- child processes ----------

    private static int Worker(string job, Settings s)
    {
        LibTorchLoader.EnsureLoaded();
        set_num_threads(s.Threads);
        JsonObject result;
        switch (job)
        {
            case "train-default-malloc":
                {
                    // Not tuned on purpose: this child measures glibc's defaults.
                    using var bench = new StepBench(s.Batch);
                    var c = LibraryConfig(s.Threads);
                    for (var i = 0; i < Warmup; i++) bench.Step(c);
                    result = new JsonObject { ["train_ms"] = new JsonArray([.. Enumerable.Range(0, s.Steps * s.Rounds).Select(_ => (JsonNode)bench.Step(c))]) };
                    break;
                }
            case "memory":
                result = MemoryRun(s);
                break;
            case "neighbour":
                result = NeighbourRun(s);
                break;
            default:
                Console.Error.WriteLine($"Unknown worker '{job}'.");
                return CommandLineApp.Usage;
        }
        Console.WriteLine(result.ToJsonString());
        return CommandLineApp.Ok;
    }

    // Training plus the whole test set's evaluation, as `train` does, then two more trainings in the same process.
    private static JsonObject MemoryRun(Settings s)
    {
        var mnist = Mnist.ReadDataSets(Mnist.DefaultDataDirectory, reshape: false);
        var options = new TrainingOptions { BatchSize = s.Batch, Threads = s.Threads, Epochs = 1, TrainSize = 20 * s.Batch };
        var after = new JsonArray();
        double evalSeconds = 0;
        for (var run = 0; run < 3; run++)
        {
            using (var model = options.CreateModel())
            using (var trainer = new Trainer(model, options))
            {
                trainer.Train(mnist.Train);
                // The first run scores the whole test set, as `train` does; the next two only enough to repeat the pattern.
                var clock = Stopwatch.StartNew();
                Evaluator.Evaluate(model, mnist.Test, options.ResolveCorruption(), limit: run == 0 ? null : 1000);
                if (run == 0) evalSeconds = clock.Elapsed.TotalSeconds;
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            after.Add(ProcStatus("VmRSS"));
        }
        return new JsonObject
        {
            ["peak_rss_mib"] = ProcStatus("VmHWM"),
            ["rss_after_runs_mib"] = after,
            ["eval_s"] = evalSeconds,
            ["eval_images"] = mnist.Test.NumExamples,
            ["train_steps"] = 20,
        };
    }

    private static double ProcStatus(string key)
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return double.Parse(line.Split(':')[1].Trim().Split(' ')[0], Inv) / 1024;
    }

    private static JsonObject? Child(string job, Settings s, Dictionary<string, string?>? env = null, string? label = null)
    {
        var (file, prefix) = Self();
        var args = prefix.Concat(["bench", "--worker", job, "--steps", s.Steps.ToString(Inv), "--rounds", s.Rounds.ToString(Inv),
            "--batch-size", s.Batch.ToString(Inv), "--threads", s.Threads.ToString(Inv)]);
        AnsiConsole.MarkupLineInterpolated($"[grey]child: {job}{(label is null ? "" : ", " + label)}[/]");
        return RunJson(file, args, env, out var error) ?? Skipped($"child '{job}' failed: {error}");
    }

    // The running CLI, as an apphost or as `dotnet mnist-denoise.dll`.
    private static (string File, string[] Prefix) Self()
    {
        var process = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [typeof(BenchCommand).Assembly.Location])
            : (process, []);
    }

    private static JsonObject? TorchPeer(string? python, Settings s, string precision, string graph)
    {
        var script = RepositoryFile("bench/torch_step.py");
        if (script is null) return Skipped("PyTorch peer skipped: bench/torch_step.py not found (run bench from a clone of the repository).");
        var candidates = python is not null ? [python] : new[] { "python3", "/usr/bin/python3" };
        var interpreter = candidates.FirstOrDefault(p => RunJson(p, ["-c", "import torch, json; print(json.dumps({'v': torch.__version__}))"], null, out _) is not null);
        if (interpreter is null)
            return Skipped($"PyTorch peer skipped: `{string.Join("` / `", candidates)} -c \"import torch\"` failed. On Debian: sudo apt-get install python3-torch.");
        AnsiConsole.MarkupLineInterpolated($"[grey]child: PyTorch ({interpreter}), {precision}, {graph} graph[/]");
        // The library's allocator and OpenMP wait settings, given to Python the only way it takes them.
        var env = new Dictionary<string, string?>
        {
            ["GLIBC_TUNABLES"] = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647",
            ["GOMP_SPINCOUNT"] = OpenMpSettings.Native("GOMP_SPINCOUNT"),
            ["OMP_WAIT_POLICY"] = OpenMpSettings.Native("OMP_WAIT_POLICY"),
        };
        List<string> args = [script, "--steps", s.Steps.ToString(Inv), "--rounds", s.Rounds.ToString(Inv), "--warmup", Warmup.ToString(Inv),
            "--batch-size", s.Batch.ToString(Inv), "--threads", s.Threads.ToString(Inv), "--precision", precision, "--graph", graph];
        if (precision == "fp32" && graph == "literal") args.Add("--forward");
        return RunJson(interpreter, args, env, out var error) ?? Skipped($"PyTorch peer ({precision}, {graph}) failed: {error}");
    }

    private static JsonObject? NotebookKernel(Settings s)
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
            AnsiConsole.MarkupLineInterpolated($"[grey]child: notebook kernel[/]");
            var ok = RunJson("dotnet", [runner, "run", notebook, "-o", folder.FullName, "-p", $"steps={s.Steps * s.Rounds}",
                "-p", $"warmup={Warmup}", "-p", $"batchSize={s.Batch}", "-p", $"threads={s.Threads}", "-p", $"resultPath={result}"], null, out var error, expectJson: false);
            return File.Exists(result) ? JsonNode.Parse(File.ReadAllText(result))!.AsObject() : Skipped($"Notebook kernel run failed: {error}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static JsonObject? Skipped(string message)
    {
        AnsiConsole.MarkupLineInterpolated($"[yellow]{message}[/]");
        return null;
    }

    // Runs a child, returns the last stdout line parsed as JSON (null and the reason if it fails).
    // A null value in env removes that variable from the child's environment.
    private static JsonObject? RunJson(string file, IEnumerable<string> args, Dictionary<string, string?>? env, out string error, bool expectJson = true)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? [])
            if (v is null) info.Environment.Remove(k);
            else info.Environment[k] = v;
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                error = $"exit code {process.ExitCode}: {Tail(stderr.Result + stdout)}";
                return null;
            }
            error = "";
            if (!expectJson) return new JsonObject();
            var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            return last is not null && last.StartsWith('{') ? JsonNode.Parse(last)!.AsObject() : throw new InvalidDataException($"no JSON in: {Tail(stdout)}");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidDataException or JsonException)
        {
            error = e.Message;
            return null;
        }
    }

    private static string Tail(string text) => text.Length <= 400 ? text.Trim() : "…" + text[^400..].Trim();

    private static string? RepositoryFile(string relative)
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "global.json")) && File.Exists(Path.Combine(dir.FullName, relative)))
                    return Path.Combine(dir.FullName, relative);
        return null;
    }

    private static List<double>? Doubles(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<double>()).ToList();

    // ---------- MNIST loading ----------

    private sealed record Loading(double GzSeconds, double RawSeconds);

    private static Loading? LoadingTimes()
    {
        var source = Mnist.DefaultDataDirectory;
        var gz = Directory.Exists(source) ? Directory.GetFiles(source, "*.gz") : [];
        if (gz.Length < 4)
        {
            Skipped($"Loading times skipped: no .gz files in {source}.");
            return null;
        }
        var raw = Directory.CreateTempSubdirectory("mnist-denoise-raw-");
        try
        {
            foreach (var file in gz)
            {
                using var input = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
                using var output = File.Create(Path.Combine(raw.FullName, Path.GetFileNameWithoutExtension(file)));
                input.CopyTo(output);
            }
            double Time(string dir) => Enumerable.Range(0, 3).Select(_ =>
            {
                var clock = Stopwatch.StartNew();
                Mnist.ReadDataSets(dir, reshape: false);
                return clock.Elapsed.TotalSeconds;
            }).Min();
            return new Loading(Time(source), Time(raw.FullName));
        }
        finally
        {
            raw.Delete(recursive: true);
        }
    }

    // ---------- report ----------

    private static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, Inv) : "n/a";

    private static void Report(Settings s, BenchMachine machine, List<Ceiling> ceilings, List<StepConfig> configs,
        Dictionary<StepConfig, List<double>> times, List<double> trainerTimes, List<double>? defaultMalloc, List<TorchRun> torch,
        List<double>? kernel, JsonObject? memory, Loading? loading, List<NeighbourResult> neighbours, InferenceTiming inference)
    {
        var (literalForward, subPixelForward, fastForward) = ForwardFlopsPerImage();
        // backward ≈ 2 forwards
        double FlopsPerImage(string graph, bool train) =>
            (train ? 3 : 1) * graph switch { "fast" => fastForward, "sub-pixel" => subPixelForward, _ => literalForward };
        ceilings = [.. ceilings.GroupBy(r => (r.Name, r.Precision, r.Threads)).Select(grp => grp.MaxBy(r => r.GFlops)!)];
        // "The limit" of a precision and thread count: the best ceiling measured for it.
        double Limit(string precision, int threads) =>
            ceilings.Where(c => c.Precision == precision && c.Threads == threads).Select(c => c.GFlops).DefaultIfEmpty(double.NaN).Max();

        var clock = machine.Clock;
        var l = new Table().Border(TableBorder.Markdown).Title("The limits (measured: best of every round; theoretical: from the instruction set)")
            .AddColumns("limit", "precision", "threads", "GFLOP/s");
        foreach (var c in ceilings.OrderBy(c => c.Precision).ThenByDescending(c => c.Threads).ThenBy(c => c.Name))
            l.AddRow(c.Name, c.Precision, c.Threads.ToString(Inv), F(c.GFlops, "0"));
        if (machine.Core is { } core)
            foreach (var precision in new[] { "fp32", "bf16" })
                foreach (var threads in s.Threads == 1 ? new[] { 1 } : [s.Threads, 1])
                {
                    var perCycle = precision == "fp32" ? core.Fp32FlopsPerCycle : core.Bf16FlopsPerCycle ?? double.NaN;
                    l.AddRow($"ISA peak: {Math.Min(threads, CpuFeatures.Cores)} core(s) × {F(perCycle, "0")} FLOP/cycle × {F(clock.GHz, "0.00")} GHz ({clock.Source})",
                        precision, threads.ToString(Inv), F(machine.Peak(precision, threads), "0"));
                }
        AnsiConsole.Write(l);

        var library = Median(times[configs[0]]);
        var t = new Table().Border(TableBorder.Markdown)
            .Title($"Training step, batch {s.Batch} (FLOP per image, training = 3 × forward: literal graph {3 * literalForward / 1e6:0} M (forward {literalForward / 1e6:0.0}), " +
                   $"fast graph {3 * fastForward / 1e6:0} M (forward {fastForward / 1e6:0.0}), PyTorch's sub-pixel form {3 * subPixelForward / 1e6:0} M; GFLOP/s counts what each graph computes)")
            .AddColumns("setting", "graph", "threads", "median ms/step", "images/s", "GFLOP/s", "% of limit", "% of ISA peak", "vs library fp32");
        void Row(string name, string graph, int threads, double ms, bool train, string precision)
        {
            var images = s.Batch * 1000 / ms;
            var gflops = images * FlopsPerImage(graph, train) / 1e9;
            t.AddRow(name, graph, threads.ToString(Inv), F(ms, "0"), F(images, "0"), F(gflops, "0"),
                F(100 * gflops / Limit(precision, threads), "0") + "%", F(100 * gflops / machine.Peak(precision, threads), "0") + "%",
                train ? F(library / ms, "0.00") + "×" : "");
        }
        foreach (var c in configs)
            Row(c.Name, c.Graph == GraphForm.Fast ? "fast" : "literal", c.Threads, Median(times[c]), c.Train, c.Compute == ScalarType.BFloat16 ? "bf16" : "fp32");
        Row("fp32 library, via Trainer (command line's path)", "fast", s.Threads, Median(trainerTimes), true, "fp32");
        if (kernel is { Count: > 0 }) Row("fp32 library, via Trainer in a notebook kernel", "fast", s.Threads, Median(kernel), true, "fp32");
        if (defaultMalloc is { Count: > 0 }) Row("fp32 library, glibc's default allocator (child)", "fast", s.Threads, Median(defaultMalloc), true, "fp32");
        double TorchMs(string precision, string graph, string key = "train_ms") =>
            torch.FirstOrDefault(r => r.Precision == precision && r.Graph == graph) is { } r && Doubles(r.Json[key]) is { Count: > 0 } ms ? Median(ms) : double.NaN;
        foreach (var r in torch)
            Row($"PyTorch {r.Json["torch"]} {r.Precision}{(r.Precision == "bf16" ? " mixed" : "")}, channels_last, {(r.Graph == "subpixel" ? "sub-pixel form" : "literal graph")} (child)",
                r.Graph == "subpixel" ? "sub-pixel" : "literal", s.Threads, TorchMs(r.Precision, r.Graph), true, r.Precision);
        if (double.IsFinite(TorchMs("fp32", "literal", "forward_ms"))) Row("PyTorch forward only fp32 (child)", "literal", s.Threads, TorchMs("fp32", "literal", "forward_ms"), false, "fp32");
        AnsiConsole.Write(t);
        // Every PyTorch child checks the two forms against each other in fp32 before timing (it fails otherwise).
        if (torch.FirstOrDefault() is { } check)
            AnsiConsole.WriteLine($"PyTorch's sub-pixel form against its literal graph (fp32, same weights and batch): logits max abs diff " +
                $"{check.Json["subpixel_logits_max_abs_diff"]}, weight gradients max relative diff {check.Json["subpixel_grad_max_rel_diff"]}");

        NeighbourTable(s, neighbours);

        var inf = new Table().Border(TableBorder.Markdown)
            .Title($"Inference, batch {inference.BatchSize} (median of {inference.Passes} passes, engines alternating; one model, exported to ONNX in memory)")
            .AddColumns("engine", "ms per batch", "images/s");
        inf.AddRow("TorchSharp (fast graph, fp32, inference mode)", F(inference.TorchMsPerBatch, "0.0"), F(inference.TorchImagesPerSecond, "0"));
        inf.AddRow("ONNX Runtime (CPU provider; the exported literal graph)", F(inference.OnnxMsPerBatch, "0.0"), F(inference.OnnxImagesPerSecond, "0"));
        AnsiConsole.Write(inf);
        AnsiConsole.WriteLine($"Largest difference between the two engines' output pixels: {inference.MaxAbsDifference:E1}");

        var m = new Table().Border(TableBorder.Markdown).Title("Data and memory").AddColumns("measure", "value");
        if (loading is not null)
        {
            m.AddRow("load MNIST from .gz (decompress, verify SHA-256, convert)", F(loading.GzSeconds, "0.00") + " s");
            m.AddRow("load MNIST from raw IDX (verify, convert)", F(loading.RawSeconds, "0.00") + " s");
        }
        if (memory is not null)
        {
            var after = Doubles(memory["rss_after_runs_mib"])!;
            m.AddRow("peak RSS, training (20 steps) + evaluation of all 10,000 test images, one process", F(memory["peak_rss_mib"]!.GetValue<double>(), "0") + " MiB");
            m.AddRow("RSS after each of 3 trainings (20 steps + evaluation) in one process", string.Join(" → ", after.Select(a => F(a, "0"))) + " MiB");
            m.AddRow("evaluation of 10,000 test images", F(memory["eval_s"]!.GetValue<double>(), "0.0") + " s");
        }
        AnsiConsole.Write(m);

        // Issue 10's goals, as ratios of medians from this one run.
        double StepMs(GraphForm graph, ScalarType type) =>
            configs.FirstOrDefault(c => c.Graph == graph && c.Compute == type && c.Train && c.Threads == s.Threads && c.ChannelsLast) is { } c ? Median(times[c]) : double.NaN;
        var fastFp32 = StepMs(GraphForm.Fast, ScalarType.Float32);
        var goals = new Table().Border(TableBorder.Markdown).Title("Goals (issue 10; ratios from this run)").AddColumns("measure", "goal", "measured", "met");
        void Goal(string measure, string goal, double value, string format, Func<double, bool> met) =>
            goals.AddRow(measure, goal, F(value, format), double.IsFinite(value) ? met(value) ? "yes" : "no" : "n/a");
        Goal("fp32 step, fast graph vs PyTorch's literal graph (bench/torch_step.py, same settings)", "≥ 1.5×", TorchMs("fp32", "literal") / fastFp32, "0.00×", v => v >= 1.5);
        Goal("fp32 step, fast vs the project's own literal graph", "≥ 1.5×", StepMs(GraphForm.Literal, ScalarType.Float32) / fastFp32, "0.00×", v => v >= 1.5);
        var neighbour = neighbours.FirstOrDefault(n => n.Setting.IsLibraryDefault && n.Setting.Threads == s.Threads);
        Goal($"step with one busy neighbour vs idle, {s.Threads} thread(s), library's OpenMP default", "≤ 2.0× slower",
            neighbour is null ? double.NaN : Median(neighbour.Busy) / Median(neighbour.Idle), "0.00×", v => v <= 2.0);
        Goal("bf16 fast vs PyTorch fp32 literal", "≥ 2.5×", TorchMs("fp32", "literal") / StepMs(GraphForm.Fast, ScalarType.BFloat16), "0.00×", v => v >= 2.5);
        Goal("fp32 fast vs PyTorch running the same sub-pixel form", "≥ 1.0×", TorchMs("fp32", "subpixel") / fastFp32, "0.00×", v => v >= 1.0);
        var fastGFlops = s.Batch * 1000 / fastFp32 * FlopsPerImage("fast", train: true) / 1e9;
        Goal("fp32 fast step as % of the measured oneDNN fp32 ceiling", "≥ 60%",
            100 * fastGFlops / (ceilings.FirstOrDefault(c => c.Name == Ceiling.Conv && c.Precision == "fp32" && c.Threads == s.Threads)?.GFlops ?? double.NaN), "0'%'", v => v >= 60);
        goals.AddRow("two-epoch `train` wall time, fast vs literal, one after the other", "≤ 0.65×", "see docs/performance.md (full runs)", "");
        goals.AddRow("full-length test PSNR, fast vs literal (same seed)", "within 0.05 dB", "see docs/performance.md (full runs)", "");
        AnsiConsole.Write(goals);
        AnsiConsole.MarkupLineInterpolated($"load average at the end: {LoadAverage()}");
    }
}
