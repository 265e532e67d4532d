using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace MnistDenoise.Runtime;

/// <summary>What <c>/proc/cpuinfo</c> says about the machine's first logical CPU.</summary>
/// <param name="Vendor"><c>vendor_id</c>: <c>GenuineIntel</c>, <c>AuthenticAMD</c>, … (empty if absent).</param>
/// <param name="Family"><c>cpu family</c> (decimal, as the kernel prints it: 6 for Intel Core/Xeon, 25 for AMD Zen 3/4, 26 for Zen 5); -1 if absent.</param>
/// <param name="Model"><c>model</c> (decimal; Emerald Rapids is 207 = 0xCF); -1 if absent.</param>
/// <param name="ModelName"><c>model name</c>; virtual machines often show a generic one ("Intel(R) Xeon(R) Processor").</param>
/// <param name="MHz"><c>cpu MHz</c>: in a VM usually the nominal (TSC) clock, not the clock the core runs at; null if absent.</param>
/// <param name="Flags">The <c>flags</c> line, one entry per instruction-set feature (<c>avx512f</c>, <c>avx512_bf16</c>, <c>amx_bf16</c>, …).</param>
public sealed record CpuInfo(string Vendor, int Family, int Model, string ModelName, double? MHz, IReadOnlySet<string> Flags)
{
    /// <summary>Parses the text of <c>/proc/cpuinfo</c> (x86 Linux); only the first processor's block is read.</summary>
    /// <exception cref="FormatException">The text has no <c>processor</c>, <c>vendor_id</c> or <c>flags</c> field, so it is not x86 cpuinfo.</exception>
    public static CpuInfo Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                if (fields.Count > 0) break; // the end of the first processor's block
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
        if (!fields.ContainsKey("vendor_id") || !fields.ContainsKey("flags"))
            throw new FormatException(
                "Not an x86 /proc/cpuinfo text: the first processor block has no 'vendor_id' or no 'flags' line " +
                $"(fields found: {(fields.Count == 0 ? "none" : string.Join(", ", fields.Keys.Take(8)))}).");
        int Int(string key) => fields.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : -1;
        double? mhz = fields.TryGetValue("cpu MHz", out var m) && double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
        return new CpuInfo(fields["vendor_id"], Int("cpu family"), Int("model"), fields.GetValueOrDefault("model name", ""), mhz,
            fields["flags"].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>This machine's <c>/proc/cpuinfo</c>, parsed; null off Linux, on a non-x86 CPU or if it cannot be read.</summary>
    public static CpuInfo? ReadThisMachine()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try { return Parse(File.ReadAllText("/proc/cpuinfo")); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }

    /// <summary>The nominal clock written in the model name ("… @ 2.30GHz"), in GHz; null when the name has none (most VMs, all AMD parts).</summary>
    public double? ModelNameGHz
    {
        get
        {
            var match = Regex.Match(ModelName, @"@\s*([0-9]+(?:\.[0-9]+)?)\s*GHz", RegexOptions.IgnoreCase);
            return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
    }

    /// <summary>"Intel family 6 model 207 (0xCF)": how CPU generations are told apart when the model name is generic.</summary>
    public string Signature => $"{(Vendor switch { "GenuineIntel" => "Intel", "AuthenticAMD" => "AMD", _ => Vendor })} family {Family} model {Model} (0x{Model:X2})";
}

/// <summary>
/// One core's arithmetic peak from its instruction set: FMA pipes × vector width × 2 FLOPs per lane per cycle,
/// with where each number comes from. Multiply by a clock and a core count to get FLOP/s.
/// </summary>
/// <param name="Microarchitecture">The core generation inferred from vendor, family, model and flags (e.g. "Zen 4", "Emerald Rapids").</param>
/// <param name="FmaPipes">Vector FMA pipes that can each start one FMA per cycle.</param>
/// <param name="PipeBits">Width of each pipe in bits (a 512-bit instruction on 256-bit pipes takes two pipe-slots).</param>
/// <param name="Fp32FlopsPerCycle">fp32 FLOPs per cycle per core: pipes × (bits / 32) lanes × 2 (multiply and add).</param>
/// <param name="Bf16FlopsPerCycle">bf16 FLOPs per cycle per core through its fastest bf16 instructions (VDPBF16PS: two products and
/// two sums per fp32 lane, twice an FMA's FLOPs; AMX tiles where present); null if the CPU has no bf16 arithmetic (bf16 is then
/// converted to fp32 and is no faster).</param>
/// <param name="Source">Where the pipe count and width come from, in words.</param>
public sealed record CorePeak(string Microarchitecture, int FmaPipes, int PipeBits, double Fp32FlopsPerCycle, double? Bf16FlopsPerCycle, string Source)
{
    /// <summary>
    /// fp32 and bf16 peak in GFLOP/s of <paramref name="cores"/> cores at <paramref name="ghz"/> GHz
    /// (bf16 is NaN when the CPU has no bf16 arithmetic).
    /// </summary>
    public (double Fp32, double Bf16) GFlops(int cores, double ghz) =>
        (cores * ghz * Fp32FlopsPerCycle, Bf16FlopsPerCycle is { } b ? cores * ghz * b : double.NaN);
}

/// <summary>
/// The theoretical arithmetic limit of this machine's CPU: per-core FLOPs per cycle from the instruction set
/// (<see cref="PerCore"/>) and the clock, from <c>/proc/cpuinfo</c>, the model name or a measured chain of
/// dependent FMAs (<see cref="MeasureClockGHz"/>). Used by <c>mnist-denoise bench</c> beside the measured ceilings.
/// </summary>
public static class CpuPeak
{
    // Intel Xeon Scalable server cores (family 6): two 512-bit FMA units per core, port 0 (ports 0+1 fused for 512-bit)
    // and port 5. Source: Intel 64 and IA-32 Architectures Optimization Reference Manual (Skylake Server
    // microarchitecture: "two FMA units" on Xeon Platinum/Gold 6000; Ice Lake, Sapphire Rapids and later server
    // parts keep two). Some Skylake/Cascade Lake Silver, Bronze and Gold 5xxx SKUs have only the port-0 unit.
    private static readonly Dictionary<int, string> IntelServer = new()
    {
        [85] = "Skylake-SP / Cascade Lake / Cooper Lake",
        [106] = "Ice Lake-SP",
        [108] = "Ice Lake-D",
        [143] = "Sapphire Rapids",
        [207] = "Emerald Rapids",
        [173] = "Granite Rapids",
        [174] = "Granite Rapids-D",
    };

    /// <summary>
    /// FLOPs per cycle per core for fp32 and bf16 from the CPU's generation and instruction set. Known: AMD Zen 1–5 and
    /// Intel cores with AVX2 or AVX-512; anything else gets a labelled guess from its widest vector flag.
    /// </summary>
    public static CorePeak PerCore(CpuInfo cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        var f = cpu.Flags;
        // VDPBF16PS (AVX512_BF16): per fp32 lane, two bf16 products summed into the accumulator = 4 FLOPs, twice an FMA's 2,
        // at the FMA's throughput on the cores listed here (Intel Cooper Lake and later server cores, AMD Zen 4 and Zen 5).
        double? Dot(double fp32) => f.Contains("avx512_bf16") ? 2 * fp32 : null;
        CorePeak Make(string arch, int pipes, int bits, string source)
        {
            double fp32 = pipes * (bits / 32) * 2;
            var bf16 = Dot(fp32);
            // AMX-BF16 (TMUL): 1,024 bf16 FLOPs per cycle per core. Source: Intel Architecture Day 2021 (Sapphire Rapids:
            // "2048 INT8 / 1024 BF16 operations per cycle" per core).
            if (f.Contains("amx_bf16")) return new CorePeak(arch, pipes, bits, fp32, 1024, source + "; AMX-BF16 tiles: 1,024 bf16 FLOPs/cycle (Intel Architecture Day 2021)");
            return new CorePeak(arch, pipes, bits, fp32, bf16, source + (bf16 is null ? "; no bf16 arithmetic instructions" : "; VDPBF16PS: 2× the FLOPs of an FMA per instruction"));
        }

        if (cpu.Vendor == "AuthenticAMD")
        {
            switch (cpu.Family)
            {
                case 23 when cpu.Model < 0x30:
                    return Make("Zen / Zen+", 2, 128, "AMD Family 17h: two 128-bit FMA pipes; 256-bit AVX2 ops take two (Software Optimization Guide for AMD Family 17h, pub. 55723)");
                case 23:
                    return Make("Zen 2", 2, 256, "AMD Zen 2: two 256-bit FMA pipes (Software Optimization Guide for AMD Family 17h Models 30h+, pub. 56305)");
                case 25 when f.Contains("avx512f"):
                    return Make("Zen 4", 2, 256, "AMD Zen 4: two 256-bit FMA pipes; a 512-bit FMA executes as two 256-bit halves (Software Optimization Guide for AMD Family 19h, pub. 57647)");
                case 25:
                    return Make("Zen 3", 2, 256, "AMD Zen 3: two 256-bit FMA pipes (Software Optimization Guide for AMD Family 19h, pub. 56665)");
                case 26 when cpu.ModelName.Contains("Ryzen AI", StringComparison.OrdinalIgnoreCase):
                    return Make("Zen 5 (mobile)", 2, 256, "AMD Zen 5 mobile cores: 512-bit ops on a 256-bit datapath (AMD, Hot Chips 2024)");
                case 26:
                    return Make("Zen 5", 2, 512, "AMD Zen 5 server/desktop: two 512-bit FMA pipes, full-width AVX-512 datapath (Software Optimization Guide for AMD Family 1Ah, pub. 58455)");
            }
        }
        if (cpu.Vendor == "GenuineIntel" && cpu.Family == 6)
        {
            if (f.Contains("avx512f") && IntelServer.TryGetValue(cpu.Model, out var name))
                return Make(name, 2, 512, "Intel Xeon Scalable: two 512-bit FMA units per core, ports 0(+1) and 5 (Intel 64 and IA-32 Architectures Optimization Reference Manual)");
            if (f.Contains("avx512f"))
                return Make($"Intel model {cpu.Model} with AVX-512", 2, 512, "unknown Intel AVX-512 model: two 512-bit FMA units ASSUMED (client parts have one)");
            if (f.Contains("avx2") && f.Contains("fma"))
                return Make($"Intel model {cpu.Model} with AVX2", 2, 256, "Intel Haswell and later: two 256-bit FMA units, ports 0 and 1 (Intel Optimization Reference Manual)");
        }
        // Anything else: the widest vector flag, two pipes, labelled as a guess.
        var bits = f.Contains("avx512f") ? 512 : f.Contains("avx2") || f.Contains("avx") ? 256 : 128;
        return Make($"unknown ({cpu.Signature})", 2, bits, $"unknown CPU: two {bits}-bit FMA pipes ASSUMED from its flags");
    }

    /// <summary>
    /// Core clock in GHz, measured: a chain of dependent scalar FMAs (each waits for the previous result, so one
    /// finishes every FMA latency) timed for about <paramref name="milliseconds"/> ms, best of <paramref name="repeats"/>.
    /// Assumes a 4-cycle FMA latency (AMD Zen 3, 4 and 5, Intel Skylake and later: Agner Fog's instruction tables,
    /// uops.info). Measures the clock the core really runs at under load (turbo included), unlike a VM's <c>cpu MHz</c>;
    /// other processes on the same core make it read low.
    /// </summary>
    /// <returns>The clock in GHz, or NaN on a CPU without x86 FMA instructions (the latency assumption does not hold there).</returns>
    public static double MeasureClockGHz(int milliseconds = 20, int repeats = 5)
    {
        const int latencyCycles = 4;
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported) return double.NaN;
        Chain(1000); // JIT
        long n = 1 << 16;
        var clock = Stopwatch.StartNew();
        while (true) // size the chain to the wanted time
        {
            clock.Restart();
            Chain(n);
            if (clock.Elapsed.TotalMilliseconds >= milliseconds / 4.0 || n > 1L << 34) break;
            n *= 2;
        }
        n = (long)(n * milliseconds / Math.Max(clock.Elapsed.TotalMilliseconds, 1e-3));
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            clock.Restart();
            Chain(n);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return n * 8.0 * latencyCycles / best / 1e9;
    }

    // 8·n dependent FMAs. The result feeds the next call's guard so that the JIT cannot drop the chain.
    private static double _sink;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Chain(long n)
    {
        double x = _sink + 1.0, a = 0.999999999, b = 1e-9;
        for (long i = 0; i < n; i++)
        {
            x = Math.FusedMultiplyAdd(x, a, b);
            x = Math.FusedMultiplyAdd(x, a, b);
            x = Math.FusedMultiplyAdd(x, a, b);
            x = Math.FusedMultiplyAdd(x, a, b);
            x = Math.FusedMultiplyAdd(x, a, b);
            x = Math.FusedMultiplyAdd(x, a, b);
            x = Math.FusedMultiplyAdd(x, a, b);
            x = Math.FusedMultiplyAdd(x, a, b);
        }
        _sink = x > 1e300 ? x : 0;
    }
}
