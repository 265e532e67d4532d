using System.CommandLine;
using System.Globalization;
using MnistDenoise.Corruption;
using MnistDenoise.Evaluation;
using MnistDenoise.Model;
using MnistDenoise.Training;
using Spectre.Console;

namespace MnistDenoise.Cli;

/// <summary><c>mnist-denoise reconstruct</c>: the tutorial's last step from a saved checkpoint.</summary>
internal static class ReconstructCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<FileInfo>("--checkpoint")
        {
            Description = "Weights written by 'train'.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("out", Checkpoint.DefaultFileName)),
        }.ExistingCheckpoint("Train first (mnist-denoise train) or pass the right path.");
        var seed = new Option<int>("--seed") { Description = "Seed of the noise.", DefaultValueFactory = _ => TestDamage.Seed };
        var data = SharedOptions.DataDirectory();
        var dataset = SharedOptions.Dataset();
        var output = SharedOptions.OutputDirectory();
        var images = SharedOptions.Images();
        var noise = SharedOptions.Noise();
        var corruption = SharedOptions.Corruption();

        var command = new Command("reconstruct", "Corrupt test images, reconstruct them with a saved model, and write the side-by-side PNG.")
        {
            checkpoint, data, dataset, output, images, noise, corruption, seed,
        };
        command.SetAction(parse =>
        {
            // The checkpoint is read and the output folder claimed before the data: either can fail, and should fast.
            using var model = new ConvAutoencoder();
            Checkpoint.Load(model, parse.GetValue(checkpoint)!.FullName);
            using var folder = OutputFolder.Claim(parse.GetValue(output)!.FullName);
            var mnist = ConsoleReport.LoadData(SharedOptions.DataDirectory(parse, data, parse.GetValue(dataset)!), parse.GetValue(dataset)!,
                cancellationToken: CommandLineApp.Stop);
            var damage = Corruptions.Resolve(parse.GetValue(corruption), parse.GetValue(noise));
            var r = Evaluator.Reconstruct(model, mnist.Test, damage, parse.GetValue(images), parse.GetValue(seed));
            var picture = Path.Combine(folder.Path, "reconstructions.png");
            ImageGrid.SaveSideBySide(r, picture);

            var table = new Table().Border(TableBorder.Rounded).AddColumns("test image", $"PSNR {damage.Spec} (dB)", "PSNR reconstructed (dB)");
            foreach (var (index, noisy, reconstructed) in r.Indices.Zip(r.NoisyPsnr, r.ReconstructedPsnr))
                table.AddRow(index.ToString(CultureInfo.InvariantCulture), noisy.ToString("0.00", CultureInfo.InvariantCulture), reconstructed.ToString("0.00", CultureInfo.InvariantCulture));
            table.AddRow("[bold]mean[/]", r.NoisyPsnr.Average().ToString("0.00", CultureInfo.InvariantCulture), $"[bold]{r.ReconstructedPsnr.Average().ToString("0.00", CultureInfo.InvariantCulture)}[/]");
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"Wrote [green]{picture}[/] (rows: corrupted, reconstructed, original)");
            return CommandLineApp.Ok;
        });
        return command;
    }
}
