using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Evaluation;
using MnistDenoise.Model;
using MnistDenoise.Runtime;
using MnistDenoise.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Cli;

/// <summary>
/// <c>mnist-denoise bench</c>: in one run, the machine's GEMM limit (fp32, bf16), the training step in every setting
/// the library chooses between (interleaved rounds in one process, so ratios are fair on a noisy machine), the same
/// step in PyTorch and inside a notebook kernel (child processes), forward-only speed, MNIST loading time and peak
/// memory, then the issue's goals against those numbers.
/// </summary>
internal static class BenchCommand
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
        var skipPeers = new Option<bool>("--no-peers") { Description = "Skip the child processes (PyTorch, notebook kernel, glibc defaults, memory)." };
        var worker = new Option<string?>("--worker") { Hidden = true, Description = "Internal: run one measurement as a child process." };
        var command = new Command("bench", "Measure training speed against the machine's GEMM limit and PyTorch, plus loading time and memory; prints one table per topic.")
        {
            steps, rounds, batchSize, threads, python, skipPeers, worker,
        };
        command.SetAction(parse =>
        {
            var settings = new Settings(parse.GetValue(steps), parse.GetValue(rounds), parse.GetValue(batchSize),
                parse.GetValue(threads) ?? CpuFeatures.Cores);
            if (parse.GetValue(worker) is { } job) return Worker(job, settings);
            NativeAllocator.TuneForTraining();
            Run(settings, parse.GetValue(python), !parse.GetValue(skipPeers));
            return CommandLineApp.Ok;
        });
        return command;
    }

    private sealed record Settings(int Steps, int Rounds, int Batch, int Threads);

    // One way to run the training step: which precision, memory layout, kernel order and thread count.
    private sealed record StepConfig(string Name, ScalarType Compute, bool ChannelsLast, bool ConvOrderKernels, int Threads, bool Train = true);

    private static void Run(Settings s, string? python, bool peers)
    {
        LibTorchLoader.EnsureLoaded();
        // Markdown tables, pasted into docs/performance.md as they are: no wrapping when the output is redirected.
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
        var bf16 = CpuFeatures.HasBFloat16 != false;
        PrintMachine(s);

        // 1. The limit: dense matrix products through the same libtorch, measured in every round (best kept).
        var gemm = new List<GemmResult>();

        // 2. The training step, interleaved.
        var configs = new List<StepConfig>
        {
            new("fp32, channels-last, conv-order kernels (library)", ScalarType.Float32, true, true, s.Threads),
            new("fp32, channels-last, row-major TF kernels (before)", ScalarType.Float32, true, false, s.Threads),
            new("fp32, NCHW, row-major TF kernels", ScalarType.Float32, false, false, s.Threads),
            new("fp32, library layout, 1 thread", ScalarType.Float32, true, true, 1),
        };
        if (bf16)
        {
            configs.Add(new("bf16 mixed, library layout", ScalarType.BFloat16, true, true, s.Threads));
            configs.Add(new("bf16 mixed, library layout, 1 thread", ScalarType.BFloat16, true, true, 1));
        }
        configs.Add(new("forward only fp32, inference mode", ScalarType.Float32, true, true, s.Threads, Train: false));
        if (bf16) configs.Add(new("forward only bf16, inference mode", ScalarType.BFloat16, true, true, s.Threads, Train: false));

        var times = configs.ToDictionary(c => c, _ => new List<double>());
        var trainerTimes = new List<double>();
        var mnist = Mnist.ReadDataSets(Mnist.DefaultDataDirectory, reshape: false);
        using (var bench = new StepBench(s.Batch))
        {
            foreach (var c in configs) for (var i = 0; i < Warmup; i++) bench.Step(c);
            for (var round = 0; round < s.Rounds; round++)
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]round {round + 1}/{s.Rounds}[/]");
                gemm.AddRange(Gemm(s.Threads, bf16));
                foreach (var c in configs)
                    for (var i = 0; i < s.Steps; i++) times[c].Add(bench.Step(c));
                set_num_threads(s.Threads);
                trainerTimes.AddRange(StepTimer.TrainerSteps(mnist.Train, new TrainingOptions { BatchSize = s.Batch, Threads = s.Threads }, Warmup, s.Steps));
            }
        }
        set_num_threads(s.Threads);

        // 3. Child processes: glibc's default allocator, PyTorch, a notebook kernel, memory.
        List<double>? defaultMalloc = null, kernel = null;
        JsonObject? torchFp32 = null, torchBf16 = null, memory = null;
        if (peers)
        {
            defaultMalloc = Doubles(Child("train-default-malloc", s)?["train_ms"]);
            (torchFp32, torchBf16) = (TorchPeer(python, s, "fp32"), bf16 ? TorchPeer(python, s, "bf16") : null);
            kernel = Doubles(NotebookKernel(s)?["train_ms"]);
            memory = Child("memory", s);
        }
        var loading = LoadingTimes();

        Report(s, gemm, configs, times, trainerTimes, defaultMalloc, torchFp32, torchBf16, kernel, memory, loading);
    }

    private static void PrintMachine(Settings s)
    {
        var cpu = OperatingSystem.IsLinux()
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]mnist-denoise bench[/] {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · CPU: {cpu ?? "unknown"}, {CpuFeatures.Cores} core(s), bf16 instructions: {CpuFeatures.HasBFloat16?.ToString() ?? "unknown"} · TorchSharp {typeof(torch).Assembly.GetName().Version} · allocator tuned: {NativeAllocator.IsTuned} · batch {s.Batch}, {s.Threads} thread(s), {s.Rounds} round(s) × {s.Steps} step(s) after {Warmup} warm-up steps · load average {LoadAverage()}");
    }

    private static string LoadAverage() =>
        OperatingSystem.IsLinux() && File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    // ---------- GEMM ----------

    private sealed record GemmResult(string Name, int Threads, double GFlops);

    private static List<GemmResult> Gemm(int threads, bool bf16)
    {
        const int n = 2048;
        var results = new List<GemmResult>();
        foreach (var type in bf16 ? new[] { ScalarType.Float32, ScalarType.BFloat16 } : [ScalarType.Float32])
            foreach (var t in threads == 1 ? new[] { 1 } : [threads, 1])
            {
                set_num_threads(t);
                using var scope = NewDisposeScope();
                var a = rand(n, n, generator: new Generator(1)).to(type);
                var b = rand(n, n, generator: new Generator(2)).to(type);
                var best = double.MaxValue;
                for (var i = 0; i < 6; i++)
                {
                    var clock = Stopwatch.StartNew();
                    using var c = matmul(a, b);
                    _ = c[0, 0].to(ScalarType.Float32).item<float>();
                    if (i > 0) best = Math.Min(best, clock.Elapsed.TotalSeconds);
                }
                results.Add(new GemmResult(type == ScalarType.BFloat16 ? "bf16" : "fp32", t, 2.0 * n * n * n / best / 1e9));
            }
        set_num_threads(threads);
        return results;
    }

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
                model.forward(noisy, c.Compute).sum().item<float>();
                return clock.Elapsed.TotalMilliseconds;
            }
            adam.zero_grad();
            Tensor logits;
            if (c.ChannelsLast) logits = model.forward(noisy, c.Compute);
            else logits = ConvAutoencoder.Graph(noisy.permute(0, 3, 1, 2).contiguous(), model.weights, model.biases).permute(0, 2, 3, 1);
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

    // Multiply-adds of one forward pass per image, from the graph's own layer shapes: h·w·out·(5·5·in) per convolution.
    private static double ForwardFlopsPerImage()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var rows = model.Summary().Where(r => r.Parameters > 0).ToArray();
        return rows.Zip(ConvAutoencoder.WeightShapes)
            .Sum(p => 2.0 * p.First.OutputShape[1] * p.First.OutputShape[2] * p.Second.Shape[3] * p.Second.Shape[0] * p.Second.Shape[1] * p.Second.Shape[2]);
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
                var c = new StepConfig("", ScalarType.Float32, true, true, s.Threads);
                for (var i = 0; i < Warmup; i++) bench.Step(c);
                result = new JsonObject { ["train_ms"] = new JsonArray([.. Enumerable.Range(0, s.Steps * s.Rounds).Select(_ => (JsonNode)bench.Step(c))]) };
                break;
            }
            case "memory":
                result = MemoryRun(s);
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
                Evaluator.Evaluate(model, mnist.Test, options.NoiseFactor, limit: run == 0 ? null : 1000);
                if (run == 0) evalSeconds = clock.Elapsed.TotalSeconds;
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            after.Add(ProcStatus("VmRSS"));
        }
        return new JsonObject
        {
            ["peak_rss_mib"] = ProcStatus("VmHWM"), ["rss_after_runs_mib"] = after, ["eval_s"] = evalSeconds,
            ["eval_images"] = mnist.Test.NumExamples, ["train_steps"] = 20,
        };
    }

    private static double ProcStatus(string key)
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key + ":", StringComparison.Ordinal));
        return double.Parse(line.Split(':')[1].Trim().Split(' ')[0], Inv) / 1024;
    }

    private static JsonObject? Child(string job, Settings s)
    {
        var (file, prefix) = Self();
        var args = prefix.Concat(["bench", "--worker", job, "--steps", s.Steps.ToString(Inv), "--rounds", s.Rounds.ToString(Inv),
            "--batch-size", s.Batch.ToString(Inv), "--threads", s.Threads.ToString(Inv)]);
        AnsiConsole.MarkupLineInterpolated($"[grey]child: {job}[/]");
        return RunJson(file, args, null, out var error) ?? Skipped($"child '{job}' failed: {error}");
    }

    // The running CLI, as an apphost or as `dotnet mnist-denoise.dll`.
    private static (string File, string[] Prefix)  Self()
    {
        var process = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [typeof(BenchCommand).Assembly.Location])
            : (process, []);
    }

    private static JsonObject? TorchPeer(string? python, Settings s, string precision)
    {
        var script = RepositoryFile("bench/torch_step.py");
        if (script is null) return Skipped("PyTorch peer skipped: bench/torch_step.py not found (run bench from a clone of the repository).");
        var candidates = python is not null ? [python] : new[] { "python3", "/usr/bin/python3" };
        var interpreter = candidates.FirstOrDefault(p => RunJson(p, ["-c", "import torch, json; print(json.dumps({'v': torch.__version__}))"], null, out _) is not null);
        if (interpreter is null)
            return Skipped($"PyTorch peer skipped: `{string.Join("` / `", candidates)} -c \"import torch\"` failed. On Debian: sudo apt-get install python3-torch.");
        AnsiConsole.MarkupLineInterpolated($"[grey]child: PyTorch ({interpreter}), {precision}[/]");
        // The library's allocator settings, given to Python the only way it takes them.
        var env = new Dictionary<string, string> { ["GLIBC_TUNABLES"] = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647" };
        return RunJson(interpreter, [script, "--steps", s.Steps.ToString(Inv), "--rounds", s.Rounds.ToString(Inv), "--warmup", Warmup.ToString(Inv),
            "--batch-size", s.Batch.ToString(Inv), "--threads", s.Threads.ToString(Inv), "--precision", precision], env, out var error)
            ?? Skipped($"PyTorch peer ({precision}) failed: {error}");
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
    private static JsonObject? RunJson(string file, IEnumerable<string> args, Dictionary<string, string>? env, out string error, bool expectJson = true)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? []) info.Environment[k] = v;
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

    private static void Report(Settings s, List<GemmResult> gemm, List<StepConfig> configs, Dictionary<StepConfig, List<double>> times,
        List<double> trainerTimes, List<double>? defaultMalloc, JsonObject? torchFp32, JsonObject? torchBf16, List<double>? kernel,
        JsonObject? memory, Loading? loading)
    {
        var forwardFlops = ForwardFlopsPerImage();
        var trainFlops = 3 * forwardFlops; // backward: gradients of inputs and of weights, each about one forward's work
        gemm = [.. gemm.GroupBy(r => (r.Name, r.Threads)).Select(grp => grp.MaxBy(r => r.GFlops)!)];
        double Peak(string type, int threads) => gemm.FirstOrDefault(g => g.Name == type && g.Threads == threads)?.GFlops ?? double.NaN;

        var g = new Table().Border(TableBorder.Markdown).Title("GEMM 2048×2048 (the limit; best of every round)").AddColumns("type", "threads", "GFLOP/s");
        foreach (var r in gemm) g.AddRow(r.Name, r.Threads.ToString(Inv), F(r.GFlops, "0"));
        AnsiConsole.Write(g);

        var library = Median(times[configs[0]]);
        var t = new Table().Border(TableBorder.Markdown).Title($"Training step, batch {s.Batch} ({trainFlops / 1e6:0} MFLOP per image; forward {forwardFlops / 1e6:0.0})")
            .AddColumns("setting", "threads", "median ms/step", "images/s", "GFLOP/s", "% of GEMM peak", "vs library fp32");
        void Row(string name, int threads, double ms, bool train, string type)
        {
            var images = s.Batch * 1000 / ms;
            var gflops = images * (train ? trainFlops : forwardFlops) / 1e9;
            t.AddRow(name, threads.ToString(Inv), F(ms, "0"), F(images, "0"), F(gflops, "0"), F(100 * gflops / Peak(type, threads), "0") + "%",
                train ? F(library / ms, "0.00") + "×" : "");
        }
        foreach (var c in configs)
            Row(c.Name, c.Threads, Median(times[c]), c.Train, c.Compute == ScalarType.BFloat16 ? "bf16" : "fp32");
        Row("fp32 library, via Trainer (command line's path)", s.Threads, Median(trainerTimes), true, "fp32");
        if (kernel is { Count: > 0 }) Row("fp32 library, via Trainer in a notebook kernel", s.Threads, Median(kernel), true, "fp32");
        if (defaultMalloc is { Count: > 0 }) Row("fp32 library, glibc's default allocator (child)", s.Threads, Median(defaultMalloc), true, "fp32");
        var torchMs = Doubles(torchFp32?["train_ms"]);
        var torchBfMs = Doubles(torchBf16?["train_ms"]);
        if (torchMs is { Count: > 0 }) Row($"PyTorch {torchFp32!["torch"]} fp32, channels_last (child)", s.Threads, Median(torchMs), true, "fp32");
        if (torchBfMs is { Count: > 0 }) Row($"PyTorch {torchBf16!["torch"]} bf16 mixed (child)", s.Threads, Median(torchBfMs), true, "bf16");
        if (Doubles(torchFp32?["forward_ms"]) is { Count: > 0 } tf) Row($"PyTorch forward only fp32 (child)", s.Threads, Median(tf), false, "fp32");
        AnsiConsole.Write(t);

        var m = new Table().Border(TableBorder.Markdown).Title("Data and memory").AddColumns("measure", "value");
        if (loading is not null)
        {
            m.AddRow("load MNIST from .gz (decompress, verify SHA-256, convert)", F(loading.GzSeconds, "0.00") + " s");
            m.AddRow("load MNIST from raw IDX (verify, convert)", F(loading.RawSeconds, "0.00") + " s");
        }
        double? peak = null, growth = null, evalSeconds = null;
        if (memory is not null)
        {
            peak = memory["peak_rss_mib"]!.GetValue<double>();
            var after = Doubles(memory["rss_after_runs_mib"])!;
            growth = after[^1] - after[0];
            evalSeconds = memory["eval_s"]!.GetValue<double>();
            m.AddRow("peak RSS, training (20 steps) + evaluation of all 10,000 test images, one process", F(peak.Value, "0") + " MiB");
            m.AddRow("RSS after each of 3 trainings (20 steps + evaluation) in one process", string.Join(" → ", after.Select(a => F(a, "0"))) + " MiB");
            m.AddRow("evaluation of 10,000 test images", F(evalSeconds.Value, "0.0") + " s");
        }
        AnsiConsole.Write(m);

        var trainer = Median(trainerTimes);
        var bf16Config = configs.FirstOrDefault(c => c.Compute == ScalarType.BFloat16 && c.Train && c.Threads == s.Threads);
        var goals = new Table().Border(TableBorder.Markdown).Title("Goals (issue 4)").AddColumns("goal", "measured", "met");
        void Goal(string goal, string measured, bool? met) => goals.AddRow(goal, measured, met is null ? "n/a" : met.Value ? "yes" : "no");
        var fraction = s.Batch * 1000 / library * trainFlops / 1e9 / Peak("fp32", s.Threads);
        Goal("fp32 training ≥ 85% of fp32 GEMM peak", F(100 * fraction, "0") + "%", double.IsFinite(fraction) ? fraction >= 0.85 : null);
        var vsTorch = torchMs is { Count: > 0 } ? Median(torchMs) / library : double.NaN;
        Goal("fp32 training ≥ 1.25× PyTorch", F(vsTorch, "0.00") + "×", double.IsFinite(vsTorch) ? vsTorch >= 1.25 : null);
        var vsBf16 = bf16Config is not null ? library / Median(times[bf16Config]) : double.NaN;
        Goal("bf16 ≥ 1.6× fp32", F(vsBf16, "0.00") + "×", double.IsFinite(vsBf16) ? vsBf16 >= 1.6 : null);
        var twoEpochs = TwoEpochSteps * trainer / 1000 + (evalSeconds ?? 0);
        Goal($"two-epoch run ≤ 240 s fp32 ({TwoEpochSteps} × Trainer step + evaluation; projected)", F(twoEpochs, "0") + " s", twoEpochs <= 240);
        if (bf16Config is not null)
        {
            var twoEpochsBf16 = TwoEpochSteps * Median(times[bf16Config]) / 1000 + (evalSeconds ?? 0);
            Goal($"two-epoch run ≤ 150 s bf16 (projected)", F(twoEpochsBf16, "0") + " s", twoEpochsBf16 <= 150);
        }
        var vsKernel = kernel is { Count: > 0 } ? Median(kernel) / trainer : double.NaN;
        Goal("notebook kernel within 10% of the command line", F(vsKernel, "0.00") + "× the command line's step time", double.IsFinite(vsKernel) ? vsKernel <= 1.10 : null);
        Goal("peak RSS training + evaluation ≤ 1.5 GB", peak is { } p ? F(p, "0") + " MiB" : "n/a", peak is { } p2 ? p2 * 1024 * 1024 <= 1.5e9 : null);
        Goal("3 trainings grow RSS ≤ 50 MB", growth is { } gr ? F(gr, "0") + " MiB" : "n/a", growth is { } gr2 ? gr2 * 1024 * 1024 <= 50e6 : null);
        Goal("load compressed MNIST < 1 s", loading is not null ? F(loading.GzSeconds, "0.00") + " s" : "n/a", loading is not null ? loading.GzSeconds < 1 : null);
        AnsiConsole.Write(goals);
        AnsiConsole.MarkupLineInterpolated($"load average at the end: {LoadAverage()}");
    }
}
