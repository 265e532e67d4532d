using System.CommandLine;
using MnistDenoise.Data;

namespace MnistDenoise.Cli;

/// <summary>Options that several commands share.</summary>
internal static class SharedOptions
{
    public static Option<DirectoryInfo> DataDirectory() => new("--data")
    {
        Description = "Folder with the MNIST (or Fashion-MNIST) IDX files, .gz or raw; missing files are downloaded. Default: the repository's data/mnist.",
        DefaultValueFactory = _ => new DirectoryInfo(Mnist.DefaultDataDirectory),
    };

    public static Option<DirectoryInfo> OutputDirectory() => new("--output", "-o")
    {
        Description = "Folder for the checkpoint, the PNG and metrics.json (created if missing).",
        DefaultValueFactory = _ => new DirectoryInfo("out"),
    };

    public static Option<double> Noise() => new Option<double>("--noise")
    {
        Description = "Standard deviation of the Gaussian noise: clip(x + noise·randn, 0, 1).",
        DefaultValueFactory = _ => 0.5,
    }.Range(0.0, 10.0, "The tutorial uses 0.5.");

    public static Option<int> Images() => new Option<int>("--images")
    {
        Description = "Test images in the side-by-side picture.",
        DefaultValueFactory = _ => 10,
    }.Range(1, 100, "The tutorial shows 10.");

    public static Option<string> Device() => new Option<string>("--device")
    {
        Description = "cpu, or cuda with a CUDA build of TorchSharp (see README).",
        DefaultValueFactory = _ => "cpu",
    };

    public static Option<int?> Threads() => new Option<int?>("--threads")
    {
        Description = "Torch intra-op threads (default: TorchSharp's, the number of cores).",
    };

    public static Option<string> Dataset() => new Option<string>("--dataset")
    {
        Description = "mnist or fashion-mnist: which checksums and mirrors the files in --data are checked against.",
        DefaultValueFactory = _ => "mnist",
    }.AcceptOnlyFromAmong("mnist", "fashion-mnist");

    public static DatasetSpec Spec(string name) => name == "fashion-mnist" ? DatasetSpec.FashionMnist : DatasetSpec.Mnist;
}
