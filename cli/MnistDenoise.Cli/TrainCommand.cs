using System.CommandLine;
using System.Diagnostics;
using MnistDenoise.Data;
using MnistDenoise.Evaluation;
using MnistDenoise.Model;
using MnistDenoise.Training;
using Spectre.Console;

namespace MnistDenoise.Cli;

/// <summary><c>mnist-denoise train</c>: the whole tutorial, then the evaluation it leaves implicit.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainingOptions();
        // Ranges come from the library (TrainingLimits), so the command line and TrainingOptions.Validate agree.
        var epochs = new Option<int>("--epochs") { Description = "Passes over the 55,000 training images.", DefaultValueFactory = _ => defaults.Epochs }
            .Range(TrainingLimits.Epochs);
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => defaults.BatchSize }
            .Range(TrainingLimits.BatchSize);
        var learningRate = new Option<double>("--learning-rate", "--lr") { Description = "Adam's learning rate.", DefaultValueFactory = _ => defaults.LearningRate }
            .Range(TrainingLimits.LearningRate);
        var init = new Option<string>("--init")
        {
            Description = "Initial weights: 'default' (PyTorch's conv init; trains), 'glorot' (TensorFlow's default variable init: Glorot-uniform, zero biases) or 'tutorial' (the post's N(0,1); diverges, see README).",
            DefaultValueFactory = _ => "default",
        }.AcceptOnlyFromAmong("default", "tutorial", "glorot");
        var seed = new Option<int>("--seed") { Description = "Seed for weights, batch order and noise.", DefaultValueFactory = _ => defaults.Seed };
        var trainSize = new Option<int?>("--train-size") { Description = "Use only the first N training images (default: all)." }
            .Range(TrainingLimits.TrainSize);
        var evalSize = SharedOptions.EvalSize();
        var noise = SharedOptions.Noise();
        var threads = SharedOptions.Threads();
        var device = SharedOptions.Device();
        var data = SharedOptions.DataDirectory();
        var dataset = SharedOptions.Dataset();
        var mirrors = SharedOptions.Mirrors();
        var output = SharedOptions.OutputDirectory();
        var images = SharedOptions.Images();
        var precision = new Option<string>("--precision")
        {
            Description = "fp32 (default) or bf16: mixed precision with fp32 master weights, for CPUs with bf16 instructions (see docs/performance.md).",
            DefaultValueFactory = _ => "fp32",
        }.AcceptOnlyFromAmong("fp32", "bf16");
        var resume = new Option<FileInfo>("--resume")
        {
            Description = "Continue the run saved in this checkpoint (written by train when it stops, is interrupted or finishes) " +
                          "at its next step. Options not given are taken from the checkpoint; --epochs may be raised to train longer.",
        };
        resume.ExistingCheckpoint("Pass the autoencoder.weights that an earlier train wrote.");
        var corruption = SharedOptions.Corruption();
        var graph = SharedOptions.Graph();
        var schedule = new Option<string>("--schedule")
        {
            Description = "Learning-rate schedule: 'constant' (the tutorial's), 'warmup-cosine' (5% linear warm-up, cosine to 0) or 'one-cycle' (PyTorch's OneCycleLR defaults); each peaks at --lr.",
            DefaultValueFactory = _ => ScheduleNames[defaults.Schedule],
        }.AcceptOnlyFromAmong([.. ScheduleNames.Values]);
        var loss = new Option<string>("--loss")
        {
            Description = "What training minimises: 'xent' (the tutorial's sigmoid cross-entropy), 'mse' (squared error of the image, what PSNR scores) or 'l1'.",
            DefaultValueFactory = _ => LossNames[defaults.Loss],
        }.AcceptOnlyFromAmong([.. LossNames.Values]);
        var recipe = new Option<string>("--recipe")
        {
            Description = "'tutorial' (default: the post's settings) or 'best': the batch size, learning rate, init, schedule and loss that " +
                "docs/recipe.md's sweep found best in the same budget (2 epochs of 55,000 images). Options given explicitly override the recipe's.",
            DefaultValueFactory = _ => "tutorial",
        }.AcceptOnlyFromAmong("tutorial", "best");

        var command = new Command("train", "Reproduce the tutorial: train (2 epochs, batch 200, noise 0.5, Adam 0.001 by default), " +
            "then write the checkpoint, the side-by-side PNG of test images and metrics.json.")
        {
            epochs, batchSize, learningRate, noise, init, seed, trainSize, evalSize, threads, device, data, dataset, mirrors, output, images, resume, precision, corruption, graph, schedule, loss, recipe,
        };
        command.SetAction(parse =>
        {
            var resumeFile = parse.GetValue(resume);
            var saved = resumeFile is null ? null : ResumeInfo(resumeFile.FullName);
            // An option left out takes the checkpoint's value when resuming, else the recipe's (--recipe best), else its default.
            var basis = saved?.Options ?? (parse.GetValue(recipe) == "best" ? TrainingOptions.BestRecipe(defaults) : null);
            T Pick<T>(Option<T> option, Func<TrainingOptions, T> fromBasis) =>
                basis is not null && parse.GetResult(option) is (null or { Implicit: true }) ? fromBasis(basis) : parse.GetValue(option)!;
            var options = new TrainingOptions
            {
                Epochs = Pick(epochs, o => o.Epochs),
                BatchSize = Pick(batchSize, o => o.BatchSize),
                LearningRate = Pick(learningRate, o => o.LearningRate),
                NoiseFactor = Pick(noise, o => o.NoiseFactor),
                Init = Enum.Parse<WeightInit>(Pick(init, o => o.Init.ToString().ToLowerInvariant())!, ignoreCase: true),
                Seed = Pick(seed, o => o.Seed),
                Threads = Pick(threads, o => o.Threads),
                Device = Pick(device, o => o.Device),
                TrainSize = Pick(trainSize, o => o.TrainSize),
                Corruption = Pick(corruption, o => o.Corruption),
                Precision = Pick(precision, o => o.Precision == Precision.BFloat16 ? "bf16" : "fp32") == "bf16" ? Precision.BFloat16 : Precision.Float32,
                Graph = Pick(graph, o => o.Graph),
                Schedule = ScheduleNames.Single(p => p.Value == Pick(schedule, o => ScheduleNames[o.Schedule])).Key,
                Loss = LossNames.Single(p => p.Value == Pick(loss, o => LossNames[o.Loss])).Key,
            };
            // A resumed run writes back beside its checkpoint unless -o says otherwise: the default ./out may hold another run's model.
            var outputDir = resumeFile is not null && parse.GetResult(output) is null or { Implicit: true }
                ? resumeFile.Directory! : parse.GetValue(output)!;
            return Run(options, SharedOptions.DataDirectory(parse, data, parse.GetValue(dataset)!), parse.GetValue(dataset)!, SharedOptions.MirrorUris(parse.GetValue(mirrors)),
                outputDir, parse.GetValue(evalSize), parse.GetValue(images), resumeFile?.FullName, saved, CommandLineApp.Stop);
        });
        return command;
    }

    /// <summary>The command line's names of the schedules.</summary>
    internal static readonly IReadOnlyDictionary<LearningRateSchedule, string> ScheduleNames = new Dictionary<LearningRateSchedule, string>
    {
        [LearningRateSchedule.Constant] = "constant",
        [LearningRateSchedule.WarmupCosine] = "warmup-cosine",
        [LearningRateSchedule.OneCycle] = "one-cycle",
    };

    /// <summary>The command line's names of the losses.</summary>
    internal static readonly IReadOnlyDictionary<ReconstructionLoss, string> LossNames = new Dictionary<ReconstructionLoss, string>
    {
        [ReconstructionLoss.CrossEntropy] = "xent",
        [ReconstructionLoss.MeanSquared] = "mse",
        [ReconstructionLoss.Absolute] = "l1",
    };

    private static CheckpointInfo ResumeInfo(string path)
    {
        var info = Checkpoint.Inspect(path);
        return info.HasTrainingState ? info : throw new CommandLineApp.UsageException(
            $"--resume: '{path}' holds weights only (no training state), so there is nothing to continue. Train afresh without --resume.");
    }

    private static int Run(TrainingOptions options, string? dataDir, string dataset, Uri[]? mirrors, DirectoryInfo outputDir,
        int? evalSize, int imageCount, string? resumePath, CheckpointInfo? saved, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        Validate(options, null);
        SharedOptions.WarnAboutThreads(options.Threads);
        MnistDenoise.Runtime.TorchProcess.Configure(options.Threads);
        // Claimed before any work: an unwritable folder or another run in it is found now, not after training.
        using var folder = OutputFolder.Claim(outputDir.FullName);
        var checkpoint = Path.Combine(folder.Path, Checkpoint.DefaultFileName);
        if (Directory.Exists(checkpoint))
            throw new CommandLineApp.UsageException($"--output: '{checkpoint}' is a folder, so the checkpoint cannot be written there. Remove it or pass another --output.");

        var mnist = ConsoleReport.LoadData(dataDir, dataset, mirrors, cancellationToken);
        Validate(options, mnist.Train.NumExamples);
        var damage = options.ResolveCorruption();

        using var model = options.CreateModel();
        using var trainer = new Trainer(model, options);
        if (resumePath is not null)
        {
            var stepsPerEpoch = Math.Min(mnist.Train.NumExamples, options.TrainSize ?? int.MaxValue) / options.BatchSize;
            if (saved!.CompletedSteps >= options.Epochs * stepsPerEpoch)
                throw new CommandLineApp.UsageException(
                    $"--resume: '{resumePath}' already finished {saved.CompletedSteps} steps ({options.Epochs} epoch(s) of {stepsPerEpoch}); " +
                    $"pass a larger --epochs to train longer.");
            var (epoch, step) = trainer.Resume(resumePath, mnist.Train).Position;
            Console.WriteLine($"Resuming {resumePath} after epoch {epoch}, step {step} ({saved.CompletedSteps} steps done); writing to {folder.Path}.");
            var threadsNow = TorchSharp.torch.get_num_threads();
            if (saved.Threads > 0 && saved.Threads != threadsNow)
                Console.WriteLine($"Threads: {threadsNow} now, {saved.Threads} in the checkpoint's run (another count sums in another order: " +
                    "the weights will be close to, not bit-identical with, an uninterrupted run).");
        }
        AnsiConsole.MarkupLineInterpolated(
            $"Training [bold]{options.Epochs}[/] epoch(s) on {Math.Min(mnist.Train.NumExamples, options.TrainSize ?? int.MaxValue):N0} images: batch {options.BatchSize}, Adam {options.LearningRate}, corruption {damage.Spec}, init {options.Init}, seed {options.Seed}, device {options.Device}, precision {options.Precision}, graph {options.Graph}, schedule {ScheduleNames[options.Schedule]}, loss {LossNames[options.Loss]}, {TorchSharp.torch.get_num_threads()} thread(s).");

        TrainingResult result;
        try
        {
            result = ConsoleReport.Train(trainer, mnist.Train, cancellationToken);
        }
        catch (TrainingDivergedException e)
        {
            // The trainer stands at the last good step: save that (never NaN weights), unless nothing good happened.
            var kept = "";
            if (e.GoodSteps > 0)
            {
                var where = SaveKeepingTheModel(trainer, checkpoint);
                RemoveStaleResults(folder.Path);
                kept = $" Saved the last good step ({e.GoodSteps}) to {where}.";
            }
            throw new InvalidOperationException(e.Message + kept, e);
        }

        // Always with the training state: an interrupted run continues with --resume, a finished one can train longer.
        var saveTo = SaveKeepingTheModel(trainer, checkpoint);
        var rescued = saveTo != checkpoint;
        var outputPath = Path.GetDirectoryName(saveTo)!;
        if (result.Cancelled)
        {
            RemoveStaleResults(outputPath);
            // Plain Console: Spectre wraps at 80 columns when output is piped, which breaks a line meant for copy and paste.
            Console.WriteLine($"Stopped after {result.StepLosses.Count} steps. Saved the model and training state to {saveTo}; skipped the evaluation.");
            Console.WriteLine($"Continue with: mnist-denoise train --resume {SharedOptions.ShellQuote(saveTo)}");
            return CommandLineApp.CancelledExitCode;
        }

        EvaluationResult evaluation;
        try
        {
            evaluation = ConsoleReport.Status($"Scoring {evalSize ?? mnist.Test.NumExamples:N0} test images",
                () => Evaluator.Evaluate(model, mnist.Test, damage, limit: evalSize, cancellationToken: cancellationToken));
        }
        catch (OperationCanceledException)
        {
            RemoveStaleResults(outputPath);
            Console.WriteLine($"Scoring stopped. The trained model is saved in {saveTo}; score it with: " +
                $"mnist-denoise reconstruct --checkpoint {SharedOptions.ShellQuote(saveTo)}");
            return CommandLineApp.CancelledExitCode;
        }
        var reconstructions = Evaluator.Reconstruct(model, mnist.Test, damage, imageCount);
        var picture = Path.Combine(outputPath, "reconstructions.png");
        var metricsPath = Path.Combine(outputPath, "metrics.json");
        // The checkpoint is already in place; the picture and the metrics follow, and metrics.json names the
        // checkpoint's SHA-256, so a reader can tell whether the three belong together.
        var metrics = RunMetrics.From(options, result, evaluation, reconstructions, total.Elapsed) with { CheckpointSha256 = Sha256(saveTo) };
        try
        {
            ImageGrid.SaveSideBySide(reconstructions, picture);
            metrics.Save(metricsPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: could not write the picture or the metrics in '{outputPath}' ({e.Message}); the model is saved in {saveTo}.");
            return CommandLineApp.Failed;
        }

        ConsoleReport.Summary(result, evaluation, reconstructions, total.Elapsed);
        AnsiConsole.MarkupLineInterpolated($"Wrote [green]{saveTo}[/]");
        AnsiConsole.MarkupLineInterpolated($"Wrote [green]{picture}[/] (rows: corrupted, reconstructed, original)");
        AnsiConsole.MarkupLineInterpolated($"Wrote [green]{metricsPath}[/]");
        if (rescued)
        {
            Console.Error.WriteLine($"error: '{folder.Path}' could not be written at the end; everything went to {outputPath} instead.");
            return CommandLineApp.Failed;
        }
        return CommandLineApp.Ok;
    }

    /// <summary>
    /// Saves the checkpoint to <paramref name="path"/>; if that fails (the disk filled up during training, the folder
    /// went away or became read-only), saves it into a new folder under the system's temporary folder instead and says
    /// so: a trained model is never lost to a failed write. Returns where it went.
    /// </summary>
    private static string SaveKeepingTheModel(Trainer trainer, string path)
    {
        try
        {
            trainer.SaveCheckpoint(path);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var fallback = Path.Combine(Path.GetTempPath(), $"mnist-denoise-rescued-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
            var rescued = Path.Combine(fallback, Checkpoint.DefaultFileName);
            Console.Error.WriteLine($"error: could not save the model to '{path}' ({e.Message.TrimEnd('.')}).");
            trainer.SaveCheckpoint(rescued);
            Console.Error.WriteLine($"Saved it to {rescued} instead. Move it where you want it (it resumes from anywhere).");
            return rescued;
        }
    }

    // metrics.json and the picture of an earlier run describe a model that is no longer beside them once a new
    // checkpoint replaced it without new results (stopped, diverged): remove them rather than leave a mixed set.
    private static void RemoveStaleResults(string directory)
    {
        foreach (var name in new[] { "metrics.json", "reconstructions.png" })
        {
            var path = Path.Combine(directory, name);
            if (!File.Exists(path)) continue;
            try { File.Delete(path); Console.WriteLine($"Removed the earlier {name} in {directory} (it described the model this run replaced)."); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }

    private static void Validate(TrainingOptions options, int? trainExamples)
    {
        try
        {
            options.Validate(trainExamples);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // "BatchSize = 200 is out of range: ... (Parameter 'BatchSize')" → "--batch-size = 200 is out of range: ..."
            var plain = e.Message.Split(" (Parameter")[0];
            var option = e.ParamName switch
            {
                nameof(TrainingOptions.NoiseFactor) => "--noise",
                null => null,
                var name => "--" + string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())),
            };
            throw new CommandLineApp.UsageException(option is null ? plain : plain.Replace(e.ParamName!, option));
        }
    }
}
