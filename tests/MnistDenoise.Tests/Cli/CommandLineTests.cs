using System.Text.Json;
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
        Assert.Equal(3, Directory.GetFiles(temp.Path).Length); // no temporary files left behind

        var again = Path.Combine(temp.Path, "again");
        var rec = CliRunner.Run("reconstruct", "--checkpoint", Path.Combine(temp.Path, "autoencoder.weights"), "--images", "4", "-o", again);
        Assert.True(rec.ExitCode == 0, rec.Output + rec.Error);
        Assert.Contains("mean", rec.Output);
        using (var png = SKBitmap.Decode(Path.Combine(again, "reconstructions.png")))
            Assert.Equal(4 * 84 + 5 * 2, png.Width);
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
}
