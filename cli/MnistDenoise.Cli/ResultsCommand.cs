using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Evaluation;
using MnistDenoise.Training;
using Spectre.Console;

namespace MnistDenoise.Cli;

/// <summary>
/// <c>mnist-denoise results</c>: for every corruption and dataset, trains the tutorial's network for that damage and
/// scores it beside the corrupted input, a 3×3 median and a Gaussian blur; writes the markdown table and a JSON file.
/// </summary>
internal static class ResultsCommand
{
    /// <summary>Short runs by default (1 epoch of 10,000 images per corruption): a few minutes on 2 cores for MNIST.</summary>
    private const int DefaultEpochs = 1, DefaultTrainSize = 10_000;

    public static Command Create()
    {
        var defaults = new TrainingOptions();
        var corruptions = new Option<string[]>(Flags.Corruption)
        {
            Description = $"Corruptions to compare, repeated or comma-separated (default: {Corruptions.DefaultSet}). {Corruptions.ValidKinds}.",
            AllowMultipleArgumentsPerToken = false,
        }.ValidCorruption(lists: true);
        var datasets = new Option<string[]>("--dataset")
        {
            Description = "mnist and/or fashion-mnist (alias fashion), repeated for a column each (default: mnist). " +
                $"Fashion-MNIST is read from {KnownDatasets.DebianFashionMnistDirectory} (Debian package dataset-fashion-mnist).",
            DefaultValueFactory = _ => ["mnist"],
        }.AcceptOnlyFromAmong([.. KnownDatasets.Names]);
        var epochs = new Option<int>(Flags.Epochs) { Description = "Passes over the training images, per corruption.", DefaultValueFactory = _ => DefaultEpochs }
            .Range(TrainingLimits.Epochs);
        var trainSize = new Option<int>(Flags.TrainSize)
        {
            Description = $"Training images per corruption (default {DefaultTrainSize:N0}; 0 for all 55,000).",
            DefaultValueFactory = _ => DefaultTrainSize,
        }.Range(TrainingLimits.TrainSize with { Min = 0, Hint = "0 for all training images" });
        var batchSize = new Option<int>(Flags.BatchSize) { Description = "Images per step.", DefaultValueFactory = _ => defaults.BatchSize }
            .Range(TrainingLimits.BatchSize);
        var evalSize = SharedOptions.EvalSize();
        var seed = new Option<int>(Flags.Seed) { Description = $"Seed for weights, batch order and training damage (test damage uses {TestDamage.Seed}).", DefaultValueFactory = _ => defaults.Seed };
        var threads = SharedOptions.Threads();
        var graph = SharedOptions.Graph();
        var output = new Option<FileInfo>("--output", "-o")
        {
            Description = "The markdown file to write (e.g. docs/results.md); the JSON goes beside it with the extension .json.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("out", "results.md")),
        };
        var full = new Option<bool>("--full")
        {
            Description = "The tutorial's length, as docs/results.md is made: 2 epochs over all 55,000 training images per corruption, " +
                "all 10,000 test images (overrides --epochs, --train-size and --eval-size; 56 minutes for both datasets and the 6 default corruptions on 2 cores).",
        };
        var models = new Option<DirectoryInfo>("--models")
        {
            Description = "Where the trained models are kept, one resumable checkpoint per dataset and corruption " +
                "(<folder>/<dataset>/<corruption>/autoencoder.weights), for notebook 06 and denoise to reuse.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "models")),
        };
        output.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<FileInfo>() is { } file && Directory.Exists(file.FullName))
                r.AddError($"--output must be the markdown file to write, but '{file.FullName}' is a folder. Pass e.g. '{Path.Combine(file.FullName, "results.md")}'.");
        });

        var command = new Command("results", "Train the tutorial's network for each corruption (short runs by default) and write the " +
            "table of PSNR and SSIM for the corrupted input, a 3×3 median, a Gaussian blur and the autoencoder, as markdown and JSON.")
        {
            corruptions, datasets, epochs, trainSize, batchSize, evalSize, seed, threads, graph, output, models, full,
        };
        command.SetAction(parse =>
        {
            var specs = parse.GetValue(corruptions) is { Length: > 0 } given ? given : [Corruptions.DefaultSet];
            var list = specs.SelectMany(Corruptions.ParseList).DistinctBy(c => c.Spec).ToArray();
            var isFull = parse.GetValue(full);
            var options = defaults with
            {
                Epochs = isFull ? defaults.Epochs : parse.GetValue(epochs),
                TrainSize = isFull ? null : parse.GetValue(trainSize) is var n && n > 0 ? n : null,
                BatchSize = parse.GetValue(batchSize),
                Seed = parse.GetValue(seed),
                Threads = parse.GetValue(threads),
                Graph = parse.GetValue(graph),
            };
            var names = parse.GetValue(datasets)!.Select(KnownDatasets.Canonical).Distinct().ToArray();
            return Run(list, names, options, isFull ? null : parse.GetValue(evalSize), parse.GetValue(output)!, parse.GetValue(models)!, args: Environment.GetCommandLineArgs().Skip(1), CommandLineApp.Stop);
        });
        return command;
    }

    private static int Run(IReadOnlyList<ICorruption> corruptions, IReadOnlyList<string> datasets, TrainingOptions options, int? evalSize,
        FileInfo output, DirectoryInfo models, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        SharedOptions.ConfigureTorch(options.Threads);
        // Before any training: the tables must have somewhere to go, and no other run may write the same folder.
        using var folder = OutputFolder.Claim(output.DirectoryName!);
        using var modelFolder = OutputFolder.Claim(models.FullName);
        var images = Path.Combine(folder.Path, ImagesFolder);
        Directory.CreateDirectory(images);
        var results = new List<CorruptionResult>();
        foreach (var dataset in datasets)
        {
            var data = ConsoleReport.LoadData(DataFolders.Default(dataset), dataset, dataOption: false, cancellationToken: cancellationToken);
            if (options.FindProblem(data.Train.NumExamples) is { } problem)
                throw new CommandLineApp.UsageException(Flags.Describe(problem));
            var spec = KnownDatasets.Spec(dataset);
            var name = spec.Name;
            foreach (var corruption in corruptions)
            {
                var trainImages = Math.Min(data.Train.NumExamples, options.TrainSize ?? int.MaxValue);
                var saveTo = Restoration.SavedModelPath(modelFolder.Path, dataset, corruption);
                Directory.CreateDirectory(Path.GetDirectoryName(saveTo)!);
                var (result, model, scores) = ConsoleReport.Status(
                    $"{name}, {corruption.Spec}: training {options.Epochs} epoch(s) on {trainImages:N0} images, then scoring",
                    () => Restoration.TrainAndScoreInDetail(name, data, corruption, options, evalSize, cancellationToken: cancellationToken,
                        saveTo: saveTo, classNames: spec.ClassNames));
                using (model)
                {
                    var stem = Slug(dataset, corruption.Spec);
                    AtomicFile.WriteAllBytes(Path.Combine(images, stem + ".png"), Restoration.SamplesPng(model, data.Test, corruption));
                    AtomicFile.WriteAllBytes(Path.Combine(images, stem + "-worst.png"), Restoration.WorstPng(model, data.Test, corruption, scores, result.Worst));
                }
                results.Add(result);
                var ae = result.Autoencoder;
                AnsiConsole.MarkupLineInterpolated(
                    $"  {name} {corruption.Spec}: {result.Steps} steps in {result.TrainSeconds:0} s, autoencoder {ae.MeanPsnr:0.00} dB / SSIM {ae.MeanSsim:0.000}, margin over the best baseline {result.Margin.Psnr:+0.00;-0.00} dB / {result.Margin.Ssim:+0.000;-0.000}");
            }
        }

        var table = ResultsTable.Markdown(results);
        var settings = new ResultsSettings(
            "mnist-denoise " + string.Join(' ', args), options.Epochs, options.TrainSize, options.BatchSize, options.LearningRate,
            options.Init.ToString(), options.Seed, TestDamage.Seed, evalSize, TorchSharp.torch.get_num_threads(), Baselines.DefaultBlurSigma,
            Math.Round(total.Elapsed.TotalSeconds, 1), options.Graph.ToString().ToLowerInvariant(),
            Choices.Precision.NameOf(options.Precision), CpuDescription(), DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var markdown = Document(table, settings, results);
        AtomicFile.WriteAllText(output.FullName, markdown);
        var json = Path.ChangeExtension(output.FullName, ".json");
        AtomicFile.WriteAllText(json, JsonSerializer.Serialize(new { settings, results }, Json));

        Console.WriteLine();
        Console.WriteLine(table);
        AnsiConsole.MarkupLineInterpolated($"Wrote [green]{output.FullName}[/] and [green]{json}[/] ({total.Elapsed.TotalSeconds:0} s)");
        return CommandLineApp.Ok;
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private sealed record ResultsSettings(
        string Command, int Epochs, int? TrainSize, int BatchSize, double LearningRate, string Init, int Seed, int TestSeed,
        int? EvalSize, int Threads, double BlurSigma, double WallSeconds, string Graph, string Precision, string Cpu, string Date);

    /// <summary>The CPU the table was made on, as every figure in docs/ names it.</summary>
    private static string CpuDescription() => Runtime.CpuInfo.ReadThisMachine() is { } cpu
        ? $"{cpu.ModelName} (vendor {cpu.Vendor}, family {cpu.Family}, model {cpu.Model}), {Environment.ProcessorCount} logical CPUs"
        : $"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} logical CPUs";

    /// <summary>The figures' folder, beside the markdown file.</summary>
    internal const string ImagesFolder = "images";

    /// <summary>The file stem of a figure: e.g. mnist-mosaic-4.</summary>
    private static string Slug(string dataset, string corruption) => $"{KnownDatasets.Canonical(dataset)}-{Restoration.FileStem(corruption)}";

    private static string Document(string table, ResultsSettings s, IReadOnlyList<CorruptionResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Restoration results");
        md.AppendLine();
        md.AppendLine("Written by `mnist-denoise results` (`cli/MnistDenoise.Cli/ResultsCommand.cs`); do not edit by hand, run the command again.");
        md.AppendLine();
        md.AppendLine("For each corruption the tutorial's network (its architecture, Adam, cross-entropy, default init) is trained from");
        md.AppendLine("scratch on damaged training images, then every method restores the same damaged test images (damage drawn");
        md.AppendLine($"from seed {s.TestSeed}). Scores are means over the test images of each image's PSNR (dB, capped at 100) and SSIM");
        md.AppendLine("(Wang et al. 2004: 11×11 Gaussian window, σ 1.5, K1 0.01, K2 0.03, L 1; matches scikit-image's");
        md.AppendLine("`structural_similarity` to 1e-6). Higher is better; the best method per corruption is in bold; the italic row is");
        md.AppendLine("the autoencoder's margin over the best baseline (negative: it loses by that much).");
        md.AppendLine();
        md.Append(table);
        md.AppendLine();
        md.AppendLine("Methods: *corrupted input* is doing nothing; *median 3×3* and *Gaussian blur* (σ " +
            s.BlurSigma.ToString(inv) + " px, the best of 0.5–1.5 on the tutorial's noise over the validation images) are");
        md.AppendLine("filters anyone has; *autoencoder* is the tutorial's network trained for that corruption.");
        md.AppendLine();
        md.AppendLine("## Settings");
        md.AppendLine();
        md.AppendLine(string.Create(inv, $"- command: `{s.Command}`"));
        md.AppendLine(string.Create(inv, $"- training per corruption: {s.Epochs} epoch(s) on {(s.TrainSize is { } n ? n.ToString("N0", inv) : "all 55,000")} images, batch {s.BatchSize}, Adam {s.LearningRate}, init {s.Init}, seed {s.Seed}"));
        md.AppendLine(string.Create(inv, $"- test images scored: {(s.EvalSize is { } e ? e.ToString("N0", inv) : "all 10,000")} per dataset, damage seed {s.TestSeed}"));
        md.AppendLine(string.Create(inv, $"- graph {s.Graph}, precision {s.Precision}, torch threads {s.Threads}; CPU: {s.Cpu}; {s.Date}"));
        md.AppendLine(string.Create(inv, $"- **wall time of the whole command: {s.WallSeconds:0} s ({s.WallSeconds / 60:0.0} min)**, training, scoring and pictures included"));
        foreach (var r in results)
            md.AppendLine(string.Create(inv, $"- {r.Dataset} `{r.Corruption}`: {r.Steps} steps in {r.TrainSeconds:0} s, last epoch's mean training loss {r.FinalEpochLoss:0.0000}"));
        md.AppendLine();
        md.Append(Pictures(results));
        return md.ToString();
    }

    // One section per dataset and corruption: the first ten test images restored by every method, the classes from
    // worst to best restored, and the ten worst restored test images.
    private static string Pictures(IReadOnlyList<CorruptionResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("## Pictures, classes and the worst images");
        md.AppendLine();
        md.AppendLine("Each figure shows the first 10 test images with exactly the damage that was scored; rows are labelled in the picture.");
        md.AppendLine("Each class table lists the test images' classes from the worst restored to the best (mean PSNR, dB). The last");
        md.AppendLine("figure of each section shows the 10 test images the autoencoder restores worst, with their class and its PSNR.");
        foreach (var r in results)
        {
            var stem = Slug(r.Dataset, r.Corruption);
            md.AppendLine();
            md.AppendLine(string.Create(inv, $"### {r.Dataset}, `{r.Corruption}`"));
            md.AppendLine();
            md.AppendLine(string.Create(inv, $"![{r.Dataset} {r.Corruption}: damaged, baselines, autoencoder, original]({ImagesFolder}/{stem}.png)"));
            if (r.PerClass.Count > 0)
            {
                var best = r.BaselineScores.MaxBy(x => x.MeanPsnr)!.Method;
                md.AppendLine();
                md.AppendLine(string.Create(inv, $"| class | test images | corrupted input (dB) | {best} (dB) | autoencoder (dB) | autoencoder − {best} (dB) |"));
                md.AppendLine("|---|---:|---:|---:|---:|---:|");
                foreach (var c in r.PerClass.OrderBy(c => c.AutoencoderPsnr))
                    md.AppendLine(string.Create(inv,
                        $"| {c.Class} | {c.Images:N0} | {c.CorruptedPsnr:0.00} | {c.BestBaselinePsnr:0.00} | {c.AutoencoderPsnr:0.00} | {c.AutoencoderPsnr - c.BestBaselinePsnr:+0.00;−0.00} |"));
            }
            if (r.Worst.Count > 0)
            {
                md.AppendLine();
                md.AppendLine(string.Create(inv, $"Worst restored: test images {string.Join(", ", r.Worst.Select(w => $"{w.Index} ({w.Class}, {w.AutoencoderPsnr:0.0} dB)"))}."));
                md.AppendLine();
                md.AppendLine(string.Create(inv, $"![{r.Dataset} {r.Corruption}: the 10 worst restored test images]({ImagesFolder}/{stem}-worst.png)"));
            }
        }
        return md.ToString();
    }
}
