using System.Globalization;
using System.Text.RegularExpressions;

namespace MnistDenoise.Notebooks.Tests;

/// <summary>
/// The notebooks, run once through notebook-runner with test-sized parameters (2,000 images, one epoch; 06: two
/// corruptions scored on 300 test images). A -p reaches only the notebooks whose parameters cell declares it.
/// </summary>
public sealed class NotebookSeriesFixture : IDisposable
{
    private readonly TempFolder _temp = new();

    public NotebookSeriesFixture()
    {
        Repository.RequireReleaseLibraries();
        Checkpoint = Path.Combine(_temp.Path, "autoencoder.weights");
        OutputFolder = Path.Combine(_temp.Path, "executed");
        Result = ProcessRun.Runner(
            ["run", .. Repository.Series.Select(n => Path.Combine("notebooks", n)), "-o", OutputFolder,
             "-p", "trainSize=2000", "-p", "epochs=1", "-p", "batchSize=100", "-p", $"checkpoint={Checkpoint}",
             "-p", $"corruptions={Corruptions}", "-p", "evalSize=300", "-p", $"models={Path.Combine(_temp.Path, "no-models")}"],
            TimeSpan.FromMinutes(10));
    }

    /// <summary>What 06 restores in the test run: the title's mosaic and a combination.</summary>
    public const string Corruptions = "mosaic:4, gaussian:0.5+saltpepper:0.05";

    public ProcessResult Result { get; }

    public string OutputFolder { get; }

    public string Checkpoint { get; }

    public ExecutedNotebook Executed(string name)
    {
        Assert.True(Result.ExitCode == 0, Result.ToString());
        return ExecutedNotebook.Read(Path.Combine(OutputFolder, name));
    }

    public void Dispose() => _temp.Dispose();
}

public sealed class NotebookSeriesTests(NotebookSeriesFixture series) : IClassFixture<NotebookSeriesFixture>
{
    [Fact]
    public void Every_notebook_runs_to_the_end_without_an_error_output()
    {
        Assert.True(series.Result.ExitCode == 0, series.Result.ToString());
        foreach (var name in Repository.Series)
        {
            var notebook = series.Executed(name);
            Assert.Empty(notebook.Errors);
            Assert.All(notebook.CodeCells, cell => Assert.NotNull(cell["execution_count"]));
        }
    }

    [Fact]
    public void Data_exploration_shows_image_20_a_digit_grid_the_split_sizes_and_charts()
    {
        var notebook = series.Executed("01-data-exploration.ipynb");
        var text = notebook.AllOutputText;
        Assert.Contains("mnist.Train.Image(20): shape (784,)", text);
        foreach (var size in new[] { "55,000", "5,000", "10,000" }) Assert.Contains(size, text);
        Assert.True(notebook.Pngs.Count >= 2, "01 should show image 20 and a grid of digits as PNG outputs");
        Assert.Equal((28 * 8 + 4, 28 * 8 + 4), ExecutedNotebook.PngSize(notebook.Pngs[0]));     // image 20: 28×28 scaled 8×, 2-pixel border
        Assert.Contains("row 1 labels:", text);
        Assert.Equal(2, Regex.Matches(text, "Plotly chart will be drawn").Count);        // label counts and pixel histogram
    }

    [Fact]
    public void Reshape_prints_the_shape_at_each_step()
    {
        var text = series.Executed("02-reshape.ipynb").AllOutputText;
        Assert.Contains("image 20: (784,) → reshape(28, 28) → (28, 28)", text);
        Assert.Contains("batch_x: (200, 784) → reshape(-1, 28, 28, 1) → imgs: (200, 28, 28, 1)", text);
        Assert.Contains("reshape: false → ImageShape (55000, 28, 28, 1)", text);
        Assert.Contains("(200, 1, 28, 28)", text);
        Assert.Contains("(784, 1, 28, 1)", text);   // channels-last strides of the NCHW shape
        Assert.Contains("round trip changes nothing: True", text);
    }

    [Fact]
    public void Model_shows_336_321_parameters_and_the_same_graph_as_the_library()
    {
        var text = series.Executed("03-model.ipynb").AllOutputText;
        Assert.Contains("Trainable parameters: 336,321", text);
        Assert.Contains("same as ConvAutoencoder.Graph: True", text);
        Assert.Contains("after conv3 + pool: (N, 4, 4, 32)", text);
    }

    [Fact]
    public void Training_injects_the_parameters_prints_throttled_loss_lines_keeps_one_chart_and_saves_the_checkpoint()
    {
        var notebook = series.Executed("04-training.ipynb");
        var cells = notebook.CodeCells;
        var parameters = cells.ToList().FindIndex(c => ExecutedNotebook.Tags(c).Contains("parameters"));
        Assert.Equal(0, parameters);
        Assert.Contains("injected-parameters", ExecutedNotebook.Tags(cells[1]));
        Assert.Contains("int epochs = 1;", ExecutedNotebook.Text(cells[1]["source"]));

        var text = notebook.AllOutputText;
        var lines = Regex.Matches(text, @"Epoch: 1/1 Trianing loss: \d\.\d{4}").Count;
        Assert.InRange(lines, 5, 21);  // 20 steps, throttled to about 20 lines
        Assert.Matches(@"elapsed, \d+:\d\d left", text);

        var trainingCell = cells.Single(c => ExecutedNotebook.Text(c["source"]).Contains("trainer.Train("));
        var charts = ExecutedNotebook.OutputsOf(trainingCell).Count(o => ExecutedNotebook.Text(o["data"]?["text/html"]).Contains("Plotly chart"));
        Assert.Equal(1, charts);   // the live chart is updated in place, not appended
        Assert.Contains("loss (sigmoid cross-entropy)", ExecutedNotebook.Text(ExecutedNotebook.OutputsOf(trainingCell)
            .First(o => o["data"]?["text/html"] is not null)["data"]!["text/html"]));
        Assert.NotEmpty(notebook.Pngs);  // the static loss curve
        Assert.True(File.Exists(series.Checkpoint), "04 should save the checkpoint it was given");
    }

    [Fact]
    public void Reconstruction_shows_ten_images_in_three_rows_and_beats_the_noisy_input()
    {
        var notebook = series.Executed("05-reconstruction.ipynb");
        var text = notebook.AllOutputText;
        Assert.Contains("Loaded the weights from", text);

        const int columns = 10, rows = 3, cell = 28 * 3, gap = 2;
        Assert.Contains(notebook.Pngs, png => ExecutedNotebook.PngSize(png) == (columns * cell + (columns + 1) * gap, rows * cell + (rows + 1) * gap));

        var mean = Regex.Match(text, @"Mean PSNR over 10 images: noisy (?<noisy>[\d.]+) dB → reconstructed (?<reconstructed>[\d.]+) dB");
        Assert.True(mean.Success, "05 should print the mean PSNR line:\n" + text);
        var noisy = double.Parse(mean.Groups["noisy"].Value, CultureInfo.InvariantCulture);
        var reconstructed = double.Parse(mean.Groups["reconstructed"].Value, CultureInfo.InvariantCulture);
        Assert.True(reconstructed > noisy, $"reconstructed {reconstructed} dB should beat noisy {noisy} dB");
        var table = notebook.Outputs.Select(o => ExecutedNotebook.Text(o["data"]?["text/plain"])).Single(t => t.Contains("reconstruction (dB)"));
        Assert.Equal(10, Regex.Matches(table, @"^\d+\s+\d\s+\d+\.\d\d\s+\d+\.\d\d\s+[+-]\d+\.\d\d$", RegexOptions.Multiline).Count);
    }

    [Fact]
    public void Reconstruction_trains_a_short_model_with_a_message_when_the_checkpoint_is_missing()
    {
        using var temp = new TempFolder();
        var result = ProcessRun.Runner(
            ["run", "notebooks/05-reconstruction.ipynb", "-o", temp.Path,
             "-p", $"checkpoint={Path.Combine(temp.Path, "missing.weights")}", "-p", "trainSize=1000", "-p", "batchSize=100"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var text = ExecutedNotebook.Read(Path.Combine(temp.Path, "05-reconstruction.ipynb")).AllOutputText;
        Assert.Contains("No checkpoint at", text);
        Assert.Contains("run notebook 04 first", text);
        Assert.Contains("Mean PSNR over 10 images", text);
    }

    [Fact]
    public void Mosaic_and_beyond_shows_the_damage_samples_per_corruption_and_the_table_of_every_method()
    {
        var notebook = series.Executed("06-mosaic-and-beyond.ipynb");
        var text = notebook.AllOutputText;
        const int columns = 10, cell = 28 * 3, gap = 2;
        int Height(int rows) => rows * cell + (rows + 1) * gap;
        const int width = columns * cell + (columns + 1) * gap;
        Assert.Contains(notebook.Pngs, png => ExecutedNotebook.PngSize(png) == (width, Height(3)));          // originals + 2 corruptions
        // One labelled picture per corruption: damaged, median, blur, (bicubic of block means for the mosaic), autoencoder, original.
        Assert.Single(notebook.Pngs, png => ExecutedNotebook.PngSize(png) is var (w, h) && h == Height(6) && w > width);
        Assert.Single(notebook.Pngs, png => ExecutedNotebook.PngSize(png) is var (w, h) && h == Height(5) && w > width);
        // And the 10 worst restored test images of each: damaged, best baseline, autoencoder, original, with captions below.
        Assert.Equal(2, notebook.Pngs.Count(png => ExecutedNotebook.PngSize(png) is var (w, h) && h > Height(4) && h < Height(5) && w > width));
        Assert.Contains("These are NOT the full-length results", text);
        Assert.Contains("(worst)", text);

        foreach (var spec in new[] { "mosaic:4", "gaussian:0.5+saltpepper:0.05" })
        {
            Assert.Contains($"{spec}: 20 steps", text);
            foreach (var method in new[] { "corrupted input", "median 3×3", "Gaussian blur σ 0.75", "autoencoder" })
                Assert.Matches($@"\| (`{Regex.Escape(spec)}`)? \| {Regex.Escape(method)} \| \**-?\d+\.\d\d\** \| \**-?\d\.\d{{3}}\** \|", text);
        }
        Assert.Equal(2, Regex.Matches(text, @"\| \| \*autoencoder − best baseline\* \| \*[+−]\d+\.\d\d\* \| \*[+−]\d\.\d{3}\* \|").Count);
        Assert.Matches(@"beats every baseline on both PSNR and SSIM for [0-2] of 2 corruptions \(1 epoch\(s\) on 2,000 images each, 300 test images\)", text);
        var table = notebook.Outputs.Select(o => ExecutedNotebook.Text(o["data"]?["text/plain"])).Single(t => t.Contains("SSIM"));
        Assert.Equal(6 + 5, Regex.Matches(table, @"^(mosaic:4|gaussian:0\.5\+saltpepper:0\.05)\s", RegexOptions.Multiline).Count);   // methods + margin; the mosaic adds bicubic
    }

    [Fact]
    public void Mosaic_and_beyond_loads_the_models_that_results_kept_instead_of_training()
    {
        using var temp = new TempFolder();
        var models = Path.Combine(temp.Path, "models");
        var cli = Path.Combine(Repository.Root, "cli", "MnistDenoise.Cli", "bin", Repository.Configuration, "net10.0", "mnist-denoise.dll");
        var made = ProcessRun.Start("dotnet", [cli, "results", "--corruption", "mosaic:4", "--train-size", "300", "--batch-size", "100",
            "--eval-size", "50", "-o", Path.Combine(temp.Path, "r", "results.md"), "--models", models], Repository.Root, TimeSpan.FromMinutes(3));
        Assert.True(made.ExitCode == 0, made.ToString());

        var run = ProcessRun.Runner(["run", "notebooks/06-mosaic-and-beyond.ipynb", "-o", temp.Path,
            "-p", "corruptions=mosaic:4", "-p", $"models={models}", "-p", "evalSize=100"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var text = ExecutedNotebook.Read(Path.Combine(temp.Path, "06-mosaic-and-beyond.ipynb")).AllOutputText;
        Assert.Contains($"Loading the models in {models} and scoring them on 100 test images", text);
        Assert.Contains("mosaic:4: loaded", text);
        Assert.Contains("trained 3 steps of batch 100 on 300 images", text);
        Assert.DoesNotContain("Training afresh", text);
        Assert.Contains("(the saved models, 100 test images)", text);
    }
}
