using System.Globalization;
using MnistDenoise.Data;
using MnistDenoise.Evaluation;
using MnistDenoise.Training;
using Spectre.Console;

namespace MnistDenoise.Cli;

/// <summary>What the command line shows while it works: download and training progress, then a summary.</summary>
internal static class ConsoleReport
{
    private static bool Live => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>
    /// Reads a dataset by name from <paramref name="directory"/>, downloading missing files (from <paramref name="mirrors"/>
    /// when given), or, when it is null, from Fashion-MNIST's own folder (see <see cref="KnownDatasets"/>); when that lacks
    /// the files, <paramref name="dataOption"/> says whether the command has --data to name another.
    /// </summary>
    public static DataSets LoadData(string? directory, string dataset, IReadOnlyList<Uri>? mirrors = null, bool dataOption = true,
        CancellationToken cancellationToken = default)
    {
        var spec = KnownDatasets.Spec(dataset);
        AnsiConsole.MarkupLineInterpolated($"Reading {spec.Name} from [blue]{directory ?? KnownDatasets.DebianFashionMnistDirectory}[/]");
        var progress = new Progress<DownloadProgress>(p => Console.Error.WriteLine($"  downloading {p}"));
        if (directory is null)
        {
            try { return KnownDatasets.Read(dataset, progress: progress, cancellationToken: cancellationToken); }
            catch (FileNotFoundException e) when (dataOption) { throw Advice.ForMissingDataset(e); }
        }
        return Mnist.ReadDataSets(directory, oneHot: false, reshape: false, spec: spec, mirrors: mirrors is { Count: > 0 } ? mirrors : null,
            progress: progress, cancellationToken: cancellationToken);
    }

    /// <summary>Runs training under a progress bar (or, when output is not a terminal, a line every few percent).</summary>
    public static TrainingResult Train(Trainer trainer, DataSet train, CancellationToken cancellationToken)
    {
        if (!Live)
        {
            var lastPercent = -1;
            return trainer.Train(train, step =>
            {
                var percent = 100 * step.GlobalStep / step.TotalSteps;
                if (percent / 5 == lastPercent / 5 && step.GlobalStep != step.TotalSteps && step.GlobalStep != 1) return;
                lastPercent = percent;
                Console.WriteLine($"{step.TutorialLine}  step {step.Step}/{step.StepsPerEpoch}  {percent,3}%  " +
                    $"elapsed {step.Elapsed:mm\\:ss}  left {step.Remaining:mm\\:ss}");
            }, cancellationToken);
        }

        TrainingResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("starting", maxValue: 1);
                result = trainer.Train(train, step =>
                {
                    task.MaxValue = step.TotalSteps;
                    task.Value = step.GlobalStep;
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"epoch {step.Epoch}/{step.Epochs}  step {step.Step,3}/{step.StepsPerEpoch}  loss {step.Loss:0.0000}");
                }, cancellationToken);
            });
        return result!;
    }

    public static T Status<T>(string what, Func<T> work)
    {
        if (!Live)
        {
            Console.WriteLine(what + "...");
            return work();
        }
        return AnsiConsole.Status().Start(what + "...", _ => work());
    }

    public static void Summary(TrainingResult result, EvaluationResult evaluation, Reconstructions pictured, TimeSpan total)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        for (var i = 0; i < result.EpochLosses.Count; i++)
            table.AddRow($"mean training loss, epoch {i + 1}", result.EpochLosses[i].ToString("0.0000", CultureInfo.InvariantCulture));
        table.AddRow("training time", $"{result.Elapsed.TotalSeconds:0.0} s ({result.MillisecondsPerStep:0} ms/step, {result.StepLosses.Count} steps)");
        table.AddRow($"test loss ({evaluation.Images:N0} images)", evaluation.Loss.ToString("0.0000", CultureInfo.InvariantCulture));
        table.AddRow($"test PSNR of the set's MSE, corrupted input ({evaluation.Corruption})", $"{evaluation.NoisyPsnr:0.00} dB");
        table.AddRow("[bold]test PSNR of the set's MSE, reconstructed[/]", $"[bold]{evaluation.ReconstructedPsnr:0.00} dB[/]");
        table.AddRow("test mean per-image PSNR, corrupted → reconstructed", $"{evaluation.NoisyMeanPsnr:0.00} → {evaluation.ReconstructedMeanPsnr:0.00} dB");
        table.AddRow("test mean SSIM, corrupted → reconstructed", $"{evaluation.NoisySsim:0.000} → {evaluation.ReconstructedSsim:0.000}");
        table.AddRow($"PSNR of the {pictured.Count} pictured (noisy → reconstructed)",
            $"{pictured.NoisyPsnr.Average():0.00} → {pictured.ReconstructedPsnr.Average():0.00} dB");
        table.AddRow("wall time, all", $"{total.TotalSeconds:0.0} s");
        AnsiConsole.Write(table);
    }
}
