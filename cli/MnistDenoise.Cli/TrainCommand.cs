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
        var arguments = new TrainArguments();
        var command = new Command("train", "Reproduce the tutorial: train (2 epochs, batch 200, noise 0.5, Adam 0.001 by default), " +
            "then write the checkpoint, the side-by-side PNG of test images and metrics.json.");
        foreach (var option in arguments.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var resumeFile = parse.GetValue(arguments.Resume);
            var saved = resumeFile is null ? null : ResumeInfo(resumeFile.FullName);
            var dataset = parse.GetValue(arguments.Dataset)!;
            return Run(arguments.Training(parse, saved?.Options), SharedOptions.DataDirectory(parse, arguments.Data, dataset), dataset,
                SharedOptions.MirrorUris(parse.GetValue(arguments.Mirrors)), arguments.OutputFolder(parse, resumeFile), parse.GetValue(arguments.EvalSize),
                parse.GetValue(arguments.Images), resumeFile?.FullName, saved, CommandLineApp.Stop);
        });
        return command;
    }

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
        SharedOptions.ConfigureTorch(options.Threads);
        // Claimed before any work: an unwritable folder or another run in it is found now, not after training.
        using var folder = OutputFolder.Claim(outputDir.FullName);
        var checkpoint = Path.Combine(folder.Path, Checkpoint.DefaultFileName);
        if (Directory.Exists(checkpoint))
            throw new CommandLineApp.UsageException($"--output: '{checkpoint}' is a folder, so the checkpoint cannot be written there. Remove it or pass another --output.");

        DataSets mnist;
        try { mnist = ConsoleReport.LoadData(dataDir, dataset, mirrors, cancellationToken: cancellationToken); }
        catch (DownloadFailedException e) { throw Advice.ForDownload(e); }
        Validate(options, mnist.Train.NumExamples);
        var damage = options.ResolveCorruption();

        using var model = options.CreateModel();
        using var trainer = NewTrainer(model, options);
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
            $"Training [bold]{options.Epochs}[/] epoch(s) on {Math.Min(mnist.Train.NumExamples, options.TrainSize ?? int.MaxValue):N0} images: batch {options.BatchSize}, Adam {options.LearningRate}, corruption {damage.Spec}, init {options.Init}, seed {options.Seed}, device {options.Device}, precision {options.Precision}, graph {options.Graph}, schedule {Choices.Schedule.NameOf(options.Schedule)}, loss {Choices.Loss.NameOf(options.Loss)}, {TorchSharp.torch.get_num_threads()} thread(s).");

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
            throw new InvalidOperationException(Advice.ForDivergence(e) + kept, e);
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

    private static Trainer NewTrainer(ConvAutoencoder model, TrainingOptions options)
    {
        try { return new Trainer(model, options); }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException) { throw Advice.ForTrainer(e, options); }
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
        if (options.FindProblem(trainExamples) is { } problem)
            throw new CommandLineApp.UsageException(Flags.Describe(problem));
    }
}
