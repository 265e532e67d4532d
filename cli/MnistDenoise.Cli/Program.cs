using System.CommandLine;
using MnistDenoise.Cli;
using MnistDenoise.Runtime;

// mnist-denoise: the tutorial from the command line. Exit codes: 0 done, 1 failed, 2 bad usage, 130 cancelled.
// 'denoise' loads libtorch only for its torch engine (Denoiser does it), so that '--engine onnx' runs on ONNX Runtime alone.
if (args is not ["denoise", ..])
    LibTorchLoader.EnsureLoaded();

// The bench still reads the library's process-wide MNIST folder; the other commands pass DataFolders' folder themselves.
if (args is ["bench", ..])
    MnistDenoise.Data.Mnist.DefaultDataDirectory = DataFolders.Mnist;

var root = new RootCommand(
    "Train and evaluate the tutorial's convolutional denoising autoencoder on MNIST (TorchSharp).")
{
    TrainCommand.Create(),
    ReconstructCommand.Create(),
    BenchCommand.Create(),
    ResultsCommand.Create(),
    DenoiseCommand.Create(),
    ExportCommand.Create(),
};
return CommandLineApp.Run(root, args);
