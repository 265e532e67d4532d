using System.Globalization;
using MnistDenoise.Runtime;

namespace MnistDenoise.Bench;

/// <summary>
/// The machine's limits for <c>bench</c>: which CPU it is, its theoretical peak from the instruction set (with the
/// source of every factor). The ceilings measured through libtorch are <see cref="Ceiling"/>.
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
