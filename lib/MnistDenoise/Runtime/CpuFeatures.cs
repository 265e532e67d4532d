namespace MnistDenoise.Runtime;

/// <summary>What this machine's CPU offers that the training path can use.</summary>
public static class CpuFeatures
{
    private static readonly Lazy<string[]> Flags = new(ReadFlags);

    /// <summary>
    /// Whether the CPU has bfloat16 dot-product instructions (x86 AVX512-BF16 or AMX-BF16), which make oneDNN's
    /// bf16 convolutions faster than float32. Known only on Linux (from <c>/proc/cpuinfo</c>); null elsewhere.
    /// </summary>
    public static bool? HasBFloat16 =>
        OperatingSystem.IsLinux() ? Flags.Value.Contains("avx512_bf16") || Flags.Value.Contains("amx_bf16") : null;

    /// <summary>Number of cores this process may run on (what TorchSharp uses as its default thread count).</summary>
    public static int Cores => Environment.ProcessorCount;

    private static string[] ReadFlags()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }
}
