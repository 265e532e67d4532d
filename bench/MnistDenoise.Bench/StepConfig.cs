using MnistDenoise.Model;
using static TorchSharp.torch;

namespace MnistDenoise.Bench;

/// <summary>
/// One way to run the training step: graph form, precision, thread count, and whether it uses the library's layout
/// (channels-last activations with conv-order kernels) or the alternative that <see cref="StepBench"/> measures
/// beside it (NCHW activations with row-major TF kernels).
/// </summary>
internal sealed record StepConfig(string Name, GraphForm Graph, ScalarType Compute, int Threads, bool Train = true, bool LibraryLayout = true)
{
    /// <summary>The step as the library runs it by default.</summary>
    public static StepConfig Library(int threads) => new("fp32 (library)", GraphForm.Fast, ScalarType.Float32, threads);

    /// <summary>
    /// Every setting the interleaved rounds time, the library's default first (the table's "vs library fp32" column
    /// divides by it). "Literal" is the tutorial's graph op for op, "fast" the library's default (the exact sub-pixel
    /// form of conv5 and conv6).
    /// </summary>
    public static List<StepConfig> All(int threads, bool bf16)
    {
        var configs = new List<StepConfig>
        {
            new("fp32, library layout (library default)", GraphForm.Fast, ScalarType.Float32, threads),
            new("fp32, library layout", GraphForm.Literal, ScalarType.Float32, threads),
            new("fp32, NCHW, row-major TF kernels", GraphForm.Literal, ScalarType.Float32, threads, LibraryLayout: false),
            new("fp32, library layout, 1 thread", GraphForm.Fast, ScalarType.Float32, 1),
        };
        if (bf16)
        {
            configs.Add(new("bf16 mixed, library layout", GraphForm.Fast, ScalarType.BFloat16, threads));
            configs.Add(new("bf16 mixed, library layout", GraphForm.Literal, ScalarType.BFloat16, threads));
            configs.Add(new("bf16 mixed, library layout, 1 thread", GraphForm.Fast, ScalarType.BFloat16, 1));
        }
        configs.Add(new("forward only fp32, inference mode", GraphForm.Fast, ScalarType.Float32, threads, Train: false));
        if (bf16) configs.Add(new("forward only bf16, inference mode", GraphForm.Fast, ScalarType.BFloat16, threads, Train: false));
        return configs;
    }

    /// <summary>The graph's name in the tables ("fast" or "literal").</summary>
    public string GraphName => Graph == GraphForm.Fast ? "fast" : "literal";

    /// <summary>The precision's name in the tables ("fp32" or "bf16").</summary>
    public string Precision => Compute == ScalarType.BFloat16 ? "bf16" : "fp32";
}
