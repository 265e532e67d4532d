using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MnistDenoise.Inference;
using MnistDenoise.Training;

namespace MnistDenoise.Cli;

/// <summary><c>mnist-denoise denoise IMAGE... -o FOLDER</c>: the trained network on the user's own pictures.</summary>
internal static class DenoiseCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images")
        {
            Description = "PNG, JPEG or BMP files, or folders (their .png/.jpg/.jpeg/.bmp files, not recursively).",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<DirectoryInfo>("--output", "-o")
        {
            Description = $"Folder for <name>{Denoiser.DenoisedSuffix} (the 28×28 result) and <name>{Denoiser.SideBySideSuffix} (input | result); created if missing.",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("out", "denoised")),
        };
        var checkpoint = new Option<FileInfo>("--checkpoint")
        {
            Description = "Weights written by 'train' (engine torch).",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("out", Checkpoint.DefaultFileName)),
        };
        var engine = new Option<string>("--engine")
        {
            Description = "torch: TorchSharp with --checkpoint; onnx: ONNX Runtime alone (no libtorch) with --onnx, written by 'export'.",
            DefaultValueFactory = _ => "torch",
        }.AcceptOnlyFromAmong("torch", "onnx");
        var onnx = new Option<FileInfo>("--onnx")
        {
            Description = "ONNX model written by 'export' (engine onnx).",
            DefaultValueFactory = _ => new FileInfo(Path.Combine("out", ExportCommand.DefaultOnnxFileName)),
        };
        var invert = Choices.Invert.Option("--invert",
            "auto: flip pictures with a light background (dark ink on paper) to MNIST's light-on-black; " +
            "always (or --invert alone) / never: override the guess.",
            alone: InvertMode.Always);

        var command = new Command("denoise", "Denoise your own pictures of digits (framed like MNIST: 28×28, light on black, centred by mass).")
        {
            images, output, checkpoint, engine, onnx, invert,
        };
        command.SetAction(parse =>
        {
            var useOnnx = parse.GetValue(engine) == "onnx";
            // The torch engine needs libtorch and the project's allocator settings (libtorch allocates and frees large blocks
            // per batch; glibc's defaults would fault in fresh pages each time). ONNX Runtime loads no libtorch.
            if (!useOnnx) MnistDenoise.Runtime.TorchProcess.Configure();
            var load = Stopwatch.StartNew();
            using var denoiser = Load(useOnnx, parse.GetValue(onnx)!.FullName, parse.GetValue(checkpoint)!.FullName);
            load.Stop();

            var folder = parse.GetValue(output)!.FullName;
            var run = Stopwatch.StartNew();
            var outcomes = denoiser.DenoiseFiles(parse.GetValue(images)!, folder, parse.GetValue(invert), o =>
            {
                if (o.Succeeded) Console.WriteLine($"{o.Source} -> {o.Denoised}{(o.Inverted ? " (colours inverted)" : "")}");
                else Console.Error.WriteLine(ErrorLine(o));
            });
            run.Stop();

            var done = outcomes.Count(o => o.Succeeded);
            var rate = done / Math.Max(run.Elapsed.TotalSeconds, 1e-9);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Denoised {done} of {outcomes.Count} pictures into {folder} with {denoiser.Engine} in {run.Elapsed.TotalSeconds:0.00} s " +
                $"({rate:0} pictures/s; model loaded in {load.Elapsed.TotalSeconds:0.00} s)."));
            if (done < outcomes.Count)
                Console.Error.WriteLine($"{outcomes.Count - done} of {outcomes.Count} inputs failed (messages above); the others were written.");
            return done == outcomes.Count ? CommandLineApp.Ok : CommandLineApp.Failed;
        });
        return command;
    }

    /// <summary>The line denoise prints for a picture it could not denoise.</summary>
    internal static string ErrorLine(DenoiseOutcome outcome) => $"error: {outcome.Error}{Advice.ForPicture(outcome)}";

    // The engine asked for, with the command line's advice when its model file is missing or unreadable.
    private static Denoiser Load(bool useOnnx, string onnx, string checkpoint)
    {
        try { return useOnnx ? Denoiser.FromOnnx(onnx) : Denoiser.FromCheckpoint(checkpoint); }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException) { throw useOnnx ? Advice.ForOnnx(e) : Advice.ForCheckpoint(e); }
    }
}
