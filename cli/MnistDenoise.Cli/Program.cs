using System.CommandLine;
using MnistDenoise.Bench;
using MnistDenoise.Cli;
using MnistDenoise.Runtime;

// mnist-denoise: the tutorial from the command line. Exit codes: 0 done, 1 failed, 2 bad usage, 130 cancelled.
// Every command but 'denoise' needs libtorch; 'denoise' loads it only for its torch engine, so that '--engine onnx' runs on
// ONNX Runtime alone. The commands that train or run the network then set the process's threads and allocator
// (TorchProcess.Configure); the bench sets them per measurement (one of its children keeps glibc's defaults on purpose).
if (args is not ["denoise", ..])
    LibTorchLoader.EnsureLoaded();

var root = new RootCommand(
    "Train and evaluate the tutorial's convolutional denoising autoencoder on MNIST (TorchSharp).")
{
    TrainCommand.Create(),
    ReconstructCommand.Create(),
    BenchCommand.Create(() => DataFolders.Mnist),
    ResultsCommand.Create(),
    DenoiseCommand.Create(),
    ExportCommand.Create(),
};
return CommandLineApp.Run(root, args);
