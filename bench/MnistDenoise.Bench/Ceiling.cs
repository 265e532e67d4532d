using System.Diagnostics;
using static TorchSharp.torch;

namespace MnistDenoise.Bench;

/// <summary>A measured ceiling: the best GFLOP/s one large, well-shaped operation reaches through libtorch.</summary>
internal sealed record Ceiling(string Name, string Precision, int Threads, double GFlops)
{
    public const string Gemm = "MKL GEMM 2048×2048 (matmul)";
    public const string Conv = "oneDNN conv 3×3, 256→256 ch, 28×28, batch 32, channels-last (conv2d forward)";

    private static readonly ScalarType[] Fp32Only = [ScalarType.Float32];

    /// <summary>Both ceilings, fp32 (and bf16 if the CPU has it), at <paramref name="threads"/> and at 1 thread.</summary>
    public static List<Ceiling> Measure(int threads, bool bf16)
    {
        var results = new List<Ceiling>();
        foreach (var type in bf16 ? new[] { ScalarType.Float32, ScalarType.BFloat16 } : Fp32Only)
            foreach (var t in threads == 1 ? new[] { 1 } : [threads, 1])
            {
                set_num_threads(t);
                var name = type == ScalarType.BFloat16 ? "bf16" : "fp32";
                results.Add(new Ceiling(Gemm, name, t, GemmGFlops(type)));
                results.Add(new Ceiling(Conv, name, t, ConvGFlops(type)));
            }
        set_num_threads(threads);
        return results;
    }

    // libtorch's matmul: MKL's sgemm for fp32 (AVX2 code on AMD CPUs, so not their limit), oneDNN/MKL for bf16.
    private static double GemmGFlops(ScalarType type)
    {
        const int n = 2048;
        using var scope = NewDisposeScope();
        var a = rand(n, n, generator: new Generator(1)).to(type);
        var b = rand(n, n, generator: new Generator(2)).to(type);
        return 2.0 * n * n * n / Best(6, () => matmul(a, b)) / 1e9;
    }

    // conv2d on CPU runs oneDNN (mkldnn), the library the training step's convolutions run on: a convolution large
    // enough to keep every core's FMA pipes busy is oneDNN's own best on this CPU.
    private static double ConvGFlops(ScalarType type)
    {
        const int n = 32, c = 256, hw = 28, k = 3;
        using var scope = NewDisposeScope();
        var x = ChannelsLast(rand(n, c, hw, hw, generator: new Generator(3)).to(type));
        var w = ChannelsLast((rand(c, c, k, k, generator: new Generator(4)) - 0.5).to(type));
        using var _ = inference_mode();
        return 2.0 * n * hw * hw * c * c * k * k / Best(4, () => nn.functional.conv2d(x, w, padding: [1, 1])) / 1e9;
    }

    // TorchSharp takes no memory_format: build channels-last strides (N·H·W·C order) and copy.
    private static Tensor ChannelsLast(Tensor nchw)
    {
        var (n, c, h, w) = (nchw.shape[0], nchw.shape[1], nchw.shape[2], nchw.shape[3]);
        return empty_strided([n, c, h, w], [h * w * c, 1, w * c, c], dtype: nchw.dtype).copy_(nchw);
    }

    // Seconds of the fastest of `times` runs after one warm-up; reading one element waits for the result.
    private static double Best(int times, Func<Tensor> op)
    {
        var best = double.MaxValue;
        for (var i = 0; i <= times; i++)
        {
            var clock = Stopwatch.StartNew();
            using var result = op();
            _ = result.flatten()[0].to(ScalarType.Float32).item<float>();
            if (i > 0) best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
