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
        var epochs = new Option<int>("--epochs") { Description = "Passes over the 55,000 training images.", DefaultValueFactory = _ => defaults.Epochs }
            .Range(1, 1000, "The tutorial uses 2.");
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => defaults.BatchSize }
            .Range(1, 55_000, "The tutorial uses 200.");
        var learningRate = new Option<double>("--learning-rate", "--lr") { Description = "Adam's learning rate.", DefaultValueFactory = _ => defaults.LearningRate }
            .Range(1e-7, 1.0, "The tutorial uses 0.001.");
        var init = new Option<string>("--init")
        {
            Description = "Initial weights: 'default' (PyTorch's conv init; trains) or 'tutorial' (the post's N(0,1); diverges, see README).",
            DefaultValueFactory = _ => "default",
        }.AcceptOnlyFromAmong("default", "tutorial");
        var seed = new Option<int>("--seed") { Description = "Seed for weights, batch order and noise.", DefaultValueFactory = _ => defaults.Seed };
        var trainSize = new Option<int?>("--train-size") { Description = "Use only the first N training images (default: all)." };
        trainSize.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--train-size must be 1 or more."); });
        var evalSize = new Option<int?>("--eval-size") { Description = "Score only the first N test images (default: all 10,000)." };
        evalSize.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--eval-size must be 1 or more."); });
        var noise = SharedOptions.Noise();
        var threads = SharedOptions.Threads();
        threads.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1 or > 1024) r.AddError("--threads must be between 1 and 1024."); });
        var device = SharedOptions.Device();
        var data = SharedOptions.DataDirectory();
        var dataset = SharedOptions.Dataset();
        var output = SharedOptions.OutputDirectory();
        var images = SharedOptions.Images();
        var corruption = SharedOptions.Corruption();

        var command = new Command("train", "Reproduce the tutorial: train (2 epochs, batch 200, noise 0.5, Adam 0.001 by default), " +
            "then write the checkpoint, the side-by-side PNG of test images and metrics.json.")
        {
            epochs, batchSize, learningRate, noise, init, seed, trainSize, evalSize, threads, device, data, dataset, output, images, corruption,
        };
        command.SetAction(parse =>
        {
            var options = new TrainingOptions
            {
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(learningRate),
                NoiseFactor = parse.GetValue(noise),
                Init = parse.GetValue(init) == "tutorial" ? WeightInit.Tutorial : WeightInit.Default,
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                Device = parse.GetValue(device)!,
                TrainSize = parse.GetValue(trainSize),
                Corruption = parse.GetValue(corruption),
            };
            return Run(options, SharedOptions.DataDirectory(parse, data, parse.GetValue(dataset)!), parse.GetValue(dataset)!,
                parse.GetValue(output)!, parse.GetValue(evalSize), parse.GetValue(images), CommandLineApp.CtrlC);
        });
        return command;
    }

    private static int Run(TrainingOptions options, string? dataDir, string dataset, DirectoryInfo outputDir,
        int? evalSize, int imageCount, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var mnist = ConsoleReport.LoadData(dataDir, dataset);
        var damage = options.ResolveCorruption();
        try
        {
            options.Validate(mnist.Train.NumExamples);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // "BatchSize = 200 is out of range: ... (Parameter 'BatchSize')" → "--batch-size = 200 is out of range: ..."
            var plain = e.Message.Split(" (Parameter")[0];
            var option = "--" + string.Concat((e.ParamName ?? "").Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
            throw new CommandLineApp.UsageException(e.ParamName is null ? plain : plain.Replace(e.ParamName, option));
        }

        AnsiConsole.MarkupLineInterpolated(
            $"Training [bold]{options.Epochs}[/] epoch(s) on {Math.Min(mnist.Train.NumExamples, options.TrainSize ?? int.MaxValue):N0} images: batch {options.BatchSize}, Adam {options.LearningRate}, corruption {damage.Spec}, init {options.Init}, seed {options.Seed}, device {options.Device}.");
        using var model = options.CreateModel();
        using var trainer = new Trainer(model, options);
        var result = ConsoleReport.Train(trainer, mnist.Train, cancellationToken);

        Directory.CreateDirectory(outputDir.FullName);
        var checkpoint = Path.Combine(outputDir.FullName, Checkpoint.DefaultFileName);
        Checkpoint.Save(model, checkpoint);
        if (result.Cancelled)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Stopped after {result.StepLosses.Count} steps.[/] Saved the model so far to [green]{checkpoint}[/]; skipped the evaluation.");
            return CommandLineApp.Cancelled;
        }

        var evaluation = ConsoleReport.Status($"Scoring {evalSize ?? mnist.Test.NumExamples:N0} test images",
            () => Evaluator.Evaluate(model, mnist.Test, damage, limit: evalSize));
        var reconstructions = Evaluator.Reconstruct(model, mnist.Test, damage, imageCount);
        var picture = Path.Combine(outputDir.FullName, "reconstructions.png");
        ImageGrid.SaveSideBySide(reconstructions, picture);

        var metricsPath = Path.Combine(outputDir.FullName, "metrics.json");
        var metrics = RunMetrics.From(options, result, evaluation, reconstructions, total.Elapsed);
        metrics.Save(metricsPath);

        ConsoleReport.Summary(result, evaluation, reconstructions, total.Elapsed);
        AnsiConsole.MarkupLineInterpolated($"Wrote [green]{checkpoint}[/]");
        AnsiConsole.MarkupLineInterpolated($"Wrote [green]{picture}[/] (rows: corrupted, reconstructed, original)");
        AnsiConsole.MarkupLineInterpolated($"Wrote [green]{metricsPath}[/]");
        return CommandLineApp.Ok;
    }
}
