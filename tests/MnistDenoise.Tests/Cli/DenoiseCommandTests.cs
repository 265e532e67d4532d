using MnistDenoise.Tests.Inference;
using SkiaSharp;

namespace MnistDenoise.Tests.Cli;

public class DenoiseCommandTests
{
    [Fact]
    public void Denoise_processes_a_folder_reports_each_bad_file_and_exits_1()
    {
        using var temp = new TestPaths.TempDirectory();
        var input = Directory.CreateDirectory(Path.Combine(temp.Path, "pictures")).FullName;
        TrainedModel.WritePng(TrainedModel.TestImage(0), Path.Combine(input, "zero.png"));
        File.WriteAllBytes(Path.Combine(input, "paper.jpg"), TrainedModel.PaperPicture(1, 8, SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(Path.Combine(input, "empty.png"), []);
        File.WriteAllBytes(Path.Combine(input, "huge.png"), TrainedModel.HugeHeaderPng());
        var output = Path.Combine(temp.Path, "out");

        var r = CliRunner.Run("denoise", input, "-o", output, "--checkpoint", TrainedModel.CheckpointPath);

        Assert.True(r.ExitCode == 1, r.Output + r.Error);
        Assert.Contains("empty.png: the file is empty", r.Error);
        Assert.Contains("huge.png: the header says 50,000×50,000", r.Error);
        Assert.Contains("Denoised 2 of 4 pictures", r.Output);
        Assert.Contains("paper.jpg -> ", r.Output);
        Assert.Contains("(colours inverted)", r.Output);
        Assert.Equal(["paper.denoised.png", "paper.side-by-side.png", "zero.denoised.png", "zero.side-by-side.png"],
            Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Export_then_denoise_on_onnx_runtime_gives_the_torch_engines_pictures_and_exits_0()
    {
        using var temp = new TestPaths.TempDirectory();
        var picture = Path.Combine(temp.Path, "seven.png");
        File.WriteAllBytes(picture, TrainedModel.PaperPicture(0, 4));
        var onnx = Path.Combine(temp.Path, "model.onnx");

        var export = CliRunner.Run("export", "--onnx", onnx, "--checkpoint", TrainedModel.CheckpointPath);
        Assert.True(export.ExitCode == 0, export.Output + export.Error);
        Assert.Contains("opset 13", export.Output);

        // LD_DEBUG=files makes glibc's loader list every library it opens (on stderr): the onnx engine must open no libtorch.
        var loaderLog = OperatingSystem.IsLinux() ? new Dictionary<string, string> { ["LD_DEBUG"] = "files" } : [];
        var viaOnnx = CliRunner.RunWith(loaderLog, "denoise", picture, "-o", Path.Combine(temp.Path, "onnx"), "--engine", "onnx", "--onnx", onnx);
        var viaTorch = CliRunner.RunWith(loaderLog, "denoise", picture, "-o", Path.Combine(temp.Path, "torch"), "--checkpoint", TrainedModel.CheckpointPath);
        Assert.True(viaOnnx.ExitCode == 0, viaOnnx.Output + viaOnnx.Error);
        Assert.True(viaTorch.ExitCode == 0, viaTorch.Output + viaTorch.Error);
        Assert.Contains("with onnx", viaOnnx.Output);
        Assert.Contains("with torch", viaTorch.Output);
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains("libonnxruntime", viaOnnx.Error);
            Assert.DoesNotContain("libtorch", viaOnnx.Error);
            Assert.Contains("libtorch_cpu", viaTorch.Error); // the check can see libtorch when it is loaded
        }

        using var a = SKBitmap.Decode(Path.Combine(temp.Path, "onnx", "seven.denoised.png"));
        using var b = SKBitmap.Decode(Path.Combine(temp.Path, "torch", "seven.denoised.png"));
        var differences = Enumerable.Range(0, 784).Count(i => Math.Abs(a.GetPixel(i % 28, i / 28).Red - b.GetPixel(i % 28, i / 28).Red) > 1);
        Assert.Equal(0, differences); // equal up to 8-bit rounding
    }

    [Fact]
    public void Export_without_a_checkpoint_exits_1_and_says_how_to_make_one()
    {
        using var temp = new TestPaths.TempDirectory();
        var r = CliRunner.Run("export", "--onnx", Path.Combine(temp.Path, "m.onnx"), "--checkpoint", Path.Combine(temp.Path, "none.weights"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("mnist-denoise train", r.Error);
        Assert.Empty(Directory.GetFiles(temp.Path));
    }

    [Theory]
    [InlineData("--invert", "sideways")]
    [InlineData("--engine", "tensorflow")]
    public void Bad_denoise_options_exit_with_2(string option, string value)
    {
        var r = CliRunner.Run("denoise", "x.png", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(value, r.Error);
    }

    [Fact]
    public void Denoise_on_onnx_without_a_model_says_how_to_export_one()
    {
        using var temp = new TestPaths.TempDirectory();
        var r = CliRunner.Run("denoise", "x.png", "--engine", "onnx", "--onnx", Path.Combine(temp.Path, "none.onnx"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("mnist-denoise export --onnx", r.Error);
    }
}
