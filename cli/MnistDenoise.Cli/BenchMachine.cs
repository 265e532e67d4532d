using System.Diagnostics;
using System.Globalization;
using MnistDenoise.Runtime;
using static TorchSharp.torch;

namespace MnistDenoise.Cli;

/// <summary>
/// The machine's limits for <c>bench</c>: which CPU it is, its theoretical peak from the instruction set (with the
/// source of every factor), and the ceilings measured through the same libtorch: MKL's GEMM and oneDNN's convolution.
/// </summary>
internal sealed class BenchMachine
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public CpuInfo? Cpu { get; private init; }
    public CorePeak? Core { get; private init; }
    public double MeasuredGHz { get; private init; } = double.NaN;

    /// <summary>Reads /proc/cpuinfo and measures the clock (about 0.2 s).</summary>
    public static BenchMachine Describe()
    {
        var cpu = CpuInfo.ReadThisMachine();
        return new BenchMachine { Cpu = cpu, Core = cpu is null ? null : CpuPeak.PerCore(cpu), MeasuredGHz = CpuPeak.MeasureClockGHz() };
    }

    /// <summary>
    /// The clock the peak is computed with, and where it comes from: measured if possible (what the core runs at,
    /// turbo included; a VM's cpu MHz is usually its nominal clock), else /proc/cpuinfo's cpu MHz, else the model name.
    /// </summary>
    public (double GHz, string Source) Clock =>
        double.IsFinite(MeasuredGHz) ? (MeasuredGHz, "measured: chain of dependent FMAs, 4-cycle latency assumed")
        : Cpu?.MHz is { } mhz ? (mhz / 1000, "cpu MHz in /proc/cpuinfo")
        : Cpu?.ModelNameGHz is { } ghz ? (ghz, "nominal clock in the model name")
        : (double.NaN, "unknown");

    /// <summary>Theoretical GFLOP/s of <paramref name="threads"/> cores (capped at the cores available); NaN if unknown.</summary>
    public double Peak(string precision, int threads)
    {
        if (Core is null) return double.NaN;
        var (fp32, bf16) = Core.GFlops(Math.Min(threads, CpuFeatures.Cores), Clock.GHz);
        return precision == "bf16" ? bf16 : fp32;
    }

    /// <summary>One line naming the CPU and every factor of its peak.</summary>
    public string Summary()
    {
        if (Cpu is null) return "CPU: unknown (no x86 /proc/cpuinfo)";
        var clock = Clock;
        var parts = new List<string>
        {
            $"CPU: {Cpu.ModelName} ({Cpu.Signature})",
            $"clock {clock.GHz.ToString("0.00", Inv)} GHz ({clock.Source}; cpu MHz {Cpu.MHz?.ToString("0", Inv) ?? "n/a"}, model name {(Cpu.ModelNameGHz is { } g ? g.ToString("0.00", Inv) + " GHz" : "gives none")})",
        };
        if (Core is not null)
            parts.Add($"{Core.Microarchitecture}: {Core.FmaPipes} × {Core.PipeBits}-bit FMA pipes = {Core.Fp32FlopsPerCycle:0} fp32 FLOP/cycle/core, " +
                      $"bf16 {(Core.Bf16FlopsPerCycle is { } b ? b.ToString("0", Inv) : "none")} ({Core.Source})");
        return string.Join(" · ", parts);
    }
}

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
