using System.CommandLine;
using MnistDenoise.Inference;
using MnistDenoise.Model;
using MnistDenoise.Training;

namespace MnistDenoise.Cli;

/// <summary><c>mnist-denoise export --onnx FILE</c>: the trained autoencoder as an ONNX model, for any ONNX runtime.</summary>
internal static class ExportCommand
{
    /// <summary>Where <c>export</c> writes and <c>denoise --engine onnx</c> reads by default, beside the checkpoint.</summary>
    public const string DefaultOnnxFileName = "autoencoder.onnx";

    public static Command Create()
    {
        var onnx = new Option<FileInfo>("--onnx")
        {
            Description = "The ONNX file to write (opset 13; input 'images' (N, 28, 28, 1) in [0, 1]; outputs 'reconstruction', then 'logits').",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("out", DefaultOnnxFileName)),
        };
        var checkpoint = new Option<FileInfo>("--checkpoint")
        {
            Description = "Weights written by 'train'.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("out", Checkpoint.DefaultFileName)),
        };
        var command = new Command("export", "Write the trained autoencoder as an ONNX model (runs on ONNX Runtime without libtorch).")
        {
            onnx, checkpoint,
        };
        command.SetAction(parse =>
        {
            var from = parse.GetValue(checkpoint)!.FullName;
            var to = parse.GetValue(onnx)!.FullName;
            if (Directory.Exists(to))
                throw new CommandLineApp.UsageException($"--onnx must name a file, but '{to}' is a folder. Add a file name, e.g. {Path.Combine(to, DefaultOnnxFileName)}.");
            if (!File.Exists(from))
                throw Advice.MissingCheckpoint(from);
            using var model = new ConvAutoencoder();
            Checkpoint.Load(model, from);
            OnnxExport.Save(model, to);
            using (OnnxEngine.FromFile(to)) { } // ONNX Runtime must accept what was written
            Console.WriteLine($"Wrote {to} (ONNX opset {OnnxExport.Opset}, {new FileInfo(to).Length:N0} bytes): input '{OnnxExport.InputName}' (N, 28, 28, 1) " +
                              $"in [0, 1]; outputs '{OnnxExport.OutputName}' (after the sigmoid) and '{OnnxExport.LogitsName}', same shape.");
            Console.WriteLine($"Run it without libtorch: mnist-denoise denoise --engine onnx --onnx {to} IMAGE...");
            return CommandLineApp.Ok;
        });
        return command;
    }
}
