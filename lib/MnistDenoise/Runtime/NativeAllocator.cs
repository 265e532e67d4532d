using System.Runtime.InteropServices;

namespace MnistDenoise.Runtime;

/// <summary>
/// Tunes glibc's malloc for training: keeps freed tensor memory in the process instead of returning it
/// to the kernel after every step, so each step does not fault in fresh pages. Measured gains range from
/// 1.15× to 4× per training step on the project's VM (docs/performance.md). Peak RSS is higher in exchange.
/// </summary>
public static partial class NativeAllocator
{
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_MAX = -4;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int param, int value);

    private static bool _tuned;

    /// <summary>True once <see cref="TuneForTraining"/> has changed the allocator's settings in this process.</summary>
    public static bool IsTuned => _tuned;

    /// <summary>
    /// Stops glibc from serving large blocks with mmap and from trimming the heap (the same as
    /// <c>GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647</c>).
    /// Does nothing off Linux or on a C library without <c>mallopt</c> (musl). Returns whether it applied.
    /// </summary>
    public static bool TuneForTraining()
    {
        if (_tuned) return true;
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            _tuned = MallOpt(M_MMAP_MAX, 0) == 1 & MallOpt(M_TRIM_THRESHOLD, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _tuned = false;
        }
        return _tuned;
    }
}
