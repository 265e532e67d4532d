using System.Text.Json;
using MnistDenoise.Model;
using MnistDenoise.Training;
using SkiaSharp;

namespace MnistDenoise.Tests.Cli;

public class CommandLineTests
{
    [Fact]
    public void Help_lists_every_hyperparameter()
    {
        var r = CliRunner.Run("train", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var option in new[] { "--epochs", "--batch-size", "--learning-rate", "--noise", "--init", "--seed", "--threads",
                                       "--device", "--train-size", "--eval-size", "--data", "--dataset", "--output", "--images" })
            Assert.Contains(option, r.Output);
    }

    [Theory]
    [InlineData("--epochs", "0")]
    [InlineData("--batch-size", "many")]
    [InlineData("--learning-rate", "5")]
    [InlineData("--noise", "-1")]
    [InlineData("--init", "zeros")]
    [InlineData("--threads", "0")]
    [InlineData("--no-such-option", "1")]
    [InlineData("--learning-rate", "-0.5")]
    [InlineData("--train-size", "0")]
    [InlineData("--device", "tpu")]
    public void Bad_options_exit_with_2_and_say_what_was_wrong(string option, string value)
    {
        var r = CliRunner.Run("train", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error:", r.Error);
        Assert.Contains(option == "--no-such-option" ? option : value, r.Error);
    }

    [Fact]
    public void A_batch_larger_than_the_training_set_exits_with_2()
    {
        var r = CliRunner.Run("train", "--train-size", "100", "--batch-size", "200");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("only 100 images", r.Error);
    }

    [Fact]
    public void Cuda_without_a_gpu_build_exits_with_a_message_naming_the_package()
    {
        if (TorchSharp.torch.cuda.is_available()) return;
        var r = CliRunner.Run("train", "--device", "cuda", "--train-size", "200", "--epochs", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("TorchSharp-cuda-", r.Error);
    }

    [Fact]
    public void Train_writes_the_checkpoint_the_picture_and_the_metrics_then_reconstruct_reads_them()
    {
        using var temp = new TestPaths.TempDirectory();
        var r = CliRunner.Run("train", "--train-size", "300", "--batch-size", "50", "--epochs", "1", "--eval-size", "100", "-o", temp.Path);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        Assert.Contains("Trianing loss", r.Output);

        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "metrics.json"))).RootElement;
        Assert.Equal(6, metrics.GetProperty("steps").GetInt32());
        Assert.Equal(100, metrics.GetProperty("test_images").GetInt32());
        Assert.InRange(metrics.GetProperty("test_psnr_noisy").GetDouble(), 8.5, 10.5);
        Assert.True(metrics.GetProperty("test_psnr_reconstructed").GetDouble() > 0);
        Assert.Equal(1, metrics.GetProperty("epoch_losses").GetArrayLength());
        Assert.True(metrics.GetProperty("wall_seconds").GetDouble() > 0);

        using (var png = SKBitmap.Decode(Path.Combine(temp.Path, "reconstructions.png")))
            Assert.Equal((10 * 84 + 11 * 2, 3 * 84 + 4 * 2), (png.Width, png.Height));
        Assert.Equal(3, Directory.GetFiles(temp.Path).Count(f => Path.GetFileName(f) != ".mnist-denoise.lock")); // no temporary files left behind

        var again = Path.Combine(temp.Path, "again");
        var rec = CliRunner.Run("reconstruct", "--checkpoint", Path.Combine(temp.Path, "autoencoder.weights"), "--images", "4", "-o", again);
        Assert.True(rec.ExitCode == 0, rec.Output + rec.Error);
        Assert.Contains("mean", rec.Output);
        using (var png = SKBitmap.Decode(Path.Combine(again, "reconstructions.png")))
            Assert.Equal(4 * 84 + 5 * 2, png.Width);
    }

    // One epoch of two batches of 50 into folder (options may add to or override those), scored on 20 test images;
    // asserts success and returns the run and its metrics.json.
    private static (CliRunner.Result Run, JsonElement Metrics) TrainTiny(string folder, params string[] options)
    {
        var r = CliRunner.Run(["train", .. options, "--train-size", "100", "--batch-size", "50", "--epochs", "1", "--eval-size", "20", "-o", folder]);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        return (r, JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json"))).RootElement);
    }

    [Fact]
    public void The_graph_form_is_chosen_with_graph_and_recorded_in_the_metrics_and_the_checkpoint()
    {
        using var temp = new TestPaths.TempDirectory();
        var (r, metrics) = TrainTiny(temp.Path, "--graph", "literal");
        Assert.Matches(@"graph\s+Literal", r.Output);
        Assert.Equal("literal", metrics.GetProperty("graph").GetString());
        Assert.Equal(GraphForm.Literal, Checkpoint.Inspect(Path.Combine(temp.Path, "autoencoder.weights")).Options!.Graph);

        var bad = CliRunner.Run("train", "--graph", "quick");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("quick", bad.Error);
    }

    [Fact]
    public void Recipe_best_sets_the_recipe_settings_and_options_given_explicitly_win()
    {
        using var temp = new TestPaths.TempDirectory();
        var (_, metrics) = TrainTiny(temp.Path, "--recipe", "best");
        var best = TrainingOptions.BestRecipe(new TrainingOptions());
        Assert.Equal(50, metrics.GetProperty("batch_size").GetInt32());   // given explicitly
        Assert.Equal(best.LearningRate, metrics.GetProperty("learning_rate").GetDouble());
        Assert.Equal(best.Init.ToString().ToLowerInvariant(), metrics.GetProperty("init").GetString());
        var saved = Checkpoint.Inspect(Path.Combine(temp.Path, "autoencoder.weights")).Options!;
        Assert.Equal((best.Schedule, best.Loss), (saved.Schedule, saved.Loss));

        (_, metrics) = TrainTiny(temp.Path, "--schedule", "one-cycle", "--loss", "l1");
        Assert.Equal(("one-cycle", "l1", 0.001), (metrics.GetProperty("schedule").GetString(), metrics.GetProperty("loss").GetString(), metrics.GetProperty("learning_rate").GetDouble()));

        var bad = CliRunner.Run("train", "--schedule", "cyclic");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("cyclic", bad.Error);
    }

    [Fact]
    public void Reconstruct_with_a_damaged_checkpoint_exits_with_1_and_says_so()
    {
        using var temp = new TestPaths.TempDirectory();
        var bad = Path.Combine(temp.Path, "bad.weights");
        File.WriteAllText(bad, "this is not a checkpoint");
        var r = CliRunner.Run("reconstruct", "--checkpoint", bad, "-o", temp.Path);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("damaged", r.Error);
    }

    [Theory]
    [InlineData("train", "mosaic:0", "mosaic needs a whole block size")]
    [InlineData("reconstruct", "blur:2", "'blur' is not a corruption")]
    [InlineData("results", "mosaic:4,gaussian:-1", "gaussian needs a standard deviation")]
    public void An_invalid_corruption_exits_with_2_naming_the_option_and_listing_the_valid_ones(string command, string spec, string why)
    {
        var r = CliRunner.Run(command, "--corruption", spec);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: --corruption: Invalid corruption", r.Error);
        Assert.Contains(why, r.Error);
        Assert.Contains("saltpepper:p", r.Error);
    }

    [Theory]
    [InlineData("--train-size", "-1")]
    [InlineData("--train-size", "all")]
    [InlineData("--dataset", "cifar")]
    [InlineData("--eval-size", "0")]
    public void Results_rejects_bad_sizes_and_datasets_with_2(string option, string value)
    {
        var r = CliRunner.Run("results", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error:", r.Error);
        Assert.True(r.Error.Contains(option) || r.Error.Contains($"'{value}'"), r.Error);   // names the option or quotes the value
    }

    [Fact]
    public void Results_writes_the_markdown_table_and_the_json_for_every_corruption_and_method()
    {
        using var temp = new TestPaths.TempDirectory();
        var md = Path.Combine(temp.Path, "docs", "results.md");
        var r = CliRunner.Run("results", "--corruption", "mosaic:4", "--corruption", "occlusion:8", "--train-size", "200", "--batch-size", "100",
            "--eval-size", "50", "--threads", "2", "-o", md, "--models", Path.Combine(temp.Path, "models"));
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        var text = File.ReadAllText(md);
        Assert.Contains("| corruption | method | MNIST PSNR (dB) | MNIST SSIM |", text);
        foreach (var kept in new[] { "mosaic-4", "occlusion-8x8" })
        {
            var info = MnistDenoise.Training.Checkpoint.Inspect(Path.Combine(temp.Path, "models", "mnist", kept, "autoencoder.weights"));
            Assert.Equal(kept.Replace('-', ':'), info.Options!.Corruption);
        }
        foreach (var method in MnistDenoise.Evaluation.Restoration.Methods)
            Assert.Equal(2, text.Split('\n').Count(line => line.Contains($"| {method} |")));
        Assert.Contains("| `mosaic:4` | corrupted input |", text);
        Assert.Contains("| `occlusion:8x8` | corrupted input |", text);
        Assert.Contains("- command: `mnist-denoise results --corruption mosaic:4 --corruption occlusion:8", text);
        Assert.Contains("1 epoch(s) on 200 images, batch 100", text);

        var json = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(md, ".json"))).RootElement;
        var results = json.GetProperty("results");
        Assert.Equal(["mosaic:4", "occlusion:8x8"], results.EnumerateArray().Select(e => e.GetProperty("corruption").GetString()));
        var scores = results[0].GetProperty("scores");
        Assert.Equal(MnistDenoise.Evaluation.Restoration.AllMethods, scores.EnumerateArray().Select(e => e.GetProperty("method").GetString()));
        Assert.All(scores.EnumerateArray(), s => Assert.Equal(50, s.GetProperty("images").GetInt32()));
        Assert.Equal(2, results[0].GetProperty("steps").GetInt32());
        Assert.Equal(2, Directory.GetFiles(Path.GetDirectoryName(md)!).Count(f => Path.GetFileName(f) != ".mnist-denoise.lock"));   // no temporary files left behind

        // Per class and the worst images, in the JSON and as pictures the markdown shows; the models are kept.
        Assert.Equal(10, results[0].GetProperty("per_class").GetArrayLength());
        Assert.Equal(50, results[0].GetProperty("per_class").EnumerateArray().Sum(c => c.GetProperty("images").GetInt32()));
        Assert.Equal(10, results[1].GetProperty("worst").GetArrayLength());
        foreach (var picture in new[] { "mnist-mosaic-4.png", "mnist-mosaic-4-worst.png", "mnist-occlusion-8x8.png", "mnist-occlusion-8x8-worst.png" })
        {
            Assert.True(File.Exists(Path.Combine(temp.Path, "docs", "images", picture)), picture);
            Assert.Contains($"](images/{picture})", text);
        }
        Assert.Contains("| `mosaic:4` | corrupted input |", text);
        Assert.Equal(1, text.Split('\n').Count(line => line.Contains("| bicubic of block means |")));   // only the mosaic has it
        Assert.Contains("wall time of the whole command", text);
    }
}
