using System.Globalization;
using System.Runtime.InteropServices;

namespace MnistDenoise.Runtime;

/// <summary>
/// libtorch's OpenMP defaults for this process, set before libtorch loads: how long worker threads spin before they
/// sleep, and how many threads there are.
/// </summary>
/// <remarks>
/// libtorch on Linux runs its intra-op threads on GNU OpenMP (libgomp, shipped inside the libtorch package), which reads
/// its variables once, when it is loaded, and only through the C library's <c>getenv</c>.
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only .NET's own copy on Unix and would not
/// reach it, hence <c>setenv</c> through P/Invoke, from <see cref="LibTorchLoader.EnsureLoaded"/>.
/// <para>Spinning: at every barrier a waiting thread spins <c>GOMP_SPINCOUNT</c> times (300,000 by default, about 3 ms)
/// before it sleeps. When another process occupies one of the cores, the sibling it waits for is descheduled for a whole
/// time slice, so each of the step's barriers burns milliseconds of spinning that the sibling needed: with one busy
/// neighbour on a 2-core machine the 2-thread training step became 4.8× slower (issue 10), while a 1-thread step hardly
/// changed. A short spin, then sleep, keeps an idle machine's barriers fast and lets a descheduled sibling run.</para>
/// <para>Threads: libgomp starts one thread per CPU in the process's affinity mask, ignoring a container's CPU quota;
/// <see cref="Environment.ProcessorCount"/> honours both (and <c>DOTNET_PROCESSOR_COUNT</c>), so the library passes it on
/// as <c>OMP_NUM_THREADS</c>. On a machine without a quota this is the number libgomp would choose anyway.</para>
/// </remarks>
public static partial class OpenMpSettings
{
    /// <summary>
    /// The library's default <c>GOMP_SPINCOUNT</c> (libgomp's own default is 300,000). Chosen from <c>mnist-denoise bench</c>'s
    /// busy-neighbour table on a quiet 2-core Emerald Rapids VM (docs/performance.md): of 0, 1,000, 10,000, 100,000,
    /// 300,000 and a passive wait, 1,000 had the fastest idle step (351 ms against libgomp's 378) and a busy neighbour
    /// cost it 1.82× (libgomp's default: 2.29×; passive and 0 spin cost 10–20% idle for 1.72×).
    /// </summary>
    public const string DefaultSpinCount = "1000";

    /// <summary>The variables with which a user chooses the wait behaviour; if either is set, the library sets neither.</summary>
    public static readonly IReadOnlyList<string> WaitVariables = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"];

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    private static readonly Lock Gate = new();
    private static string? _status;

    /// <summary>
    /// On Linux, sets <c>GOMP_SPINCOUNT</c> to <see cref="DefaultSpinCount"/> unless the user set <c>OMP_WAIT_POLICY</c> or
    /// <c>GOMP_SPINCOUNT</c>, and <c>OMP_NUM_THREADS</c> to <see cref="CpuFeatures.Cores"/> unless the user set it. A value
    /// the user set only through .NET (<see cref="Environment.SetEnvironmentVariable(string, string)"/>, e.g. in a notebook)
    /// is passed on to the C environment, where libgomp can see it. Effective only before libtorch (and with it libgomp)
    /// is loaded; <see cref="LibTorchLoader.EnsureLoaded"/> calls it first. Runs once; returns what it did, in words.
    /// </summary>
    public static string ApplyDefaults()
    {
        lock (Gate) return _status ??= Apply();
    }

    /// <summary>What <see cref="ApplyDefaults"/> did (e.g. "GOMP_SPINCOUNT=1000 (library default); OMP_NUM_THREADS=2 (…)"); null before it ran.</summary>
    public static string? Status => _status;

    // Looked up once libtorch is loaded (before that there is nothing to find, and nothing is remembered).
    private static readonly Lazy<IntPtr> SetNumThreadsExport = new(() =>
        LibTorchLoader.TryGetLibTorchExport("omp_set_num_threads", out var address) ? address : IntPtr.Zero);

    private static IntPtr SetNumThreads => LibTorchLoader.Status is null ? IntPtr.Zero : SetNumThreadsExport.Value;

    /// <summary>
    /// Limits the OpenMP parallel regions that the calling thread starts (libtorch's and oneDNN's) to
    /// <paramref name="threads"/> threads, through libgomp's <c>omp_set_num_threads</c>, which sets the calling thread's own
    /// count: other threads and torch's process-wide setting (<c>torch.get_num_threads</c>) are left alone, and the
    /// setting ends with the thread. Returns false, changing nothing, where libtorch's libgomp cannot be found (not
    /// Linux, or libtorch not loaded yet).
    /// </summary>
    public static unsafe bool LimitCallingThread(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        var address = OperatingSystem.IsLinux() ? SetNumThreads : IntPtr.Zero;
        if (address == IntPtr.Zero) return false;
        ((delegate* unmanaged<int, void>)address)(threads);
        return true;
    }

    /// <summary>True where <see cref="LimitCallingThread"/> works.</summary>
    public static bool CanLimitCallingThread => OperatingSystem.IsLinux() && SetNumThreads != IntPtr.Zero;

    private static string Apply()
    {
        if (!OperatingSystem.IsLinux())
            return "not Linux: libtorch's OpenMP runtime is not libgomp, nothing set";
        try
        {
            var chosen = WaitVariables.Select(name => (Name: name, Value: UserValue(name))).Where(v => v.Value is not null).ToList();
            var wait = chosen.Count > 0
                ? string.Join(", ", chosen.Select(v => $"{v.Name}={v.Value}")) + " (set by the user)"
                : SetDefault("GOMP_SPINCOUNT", DefaultSpinCount, "library default");
            var threads = UserValue("OMP_NUM_THREADS") is { } n
                ? $"OMP_NUM_THREADS={n} (set by the user)"
                : SetDefault("OMP_NUM_THREADS", CpuFeatures.Cores.ToString(CultureInfo.InvariantCulture), "library default: the CPUs available to this process");
            return wait + "; " + threads;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "no setenv in this C library: libgomp's defaults apply";
        }
    }

    // The user's value: from the C environment, or from .NET's copy only (then passed on to the C environment).
    private static string? UserValue(string name)
    {
        if (Native(name) is { } native) return native;
        if (Environment.GetEnvironmentVariable(name) is not { Length: > 0 } managed) return null;
        SetEnv(name, managed, 1);
        return managed;
    }

    private static string SetDefault(string name, string value, string why) =>
        SetEnv(name, value, 0) == 0 ? $"{name}={value} ({why})" : $"setenv {name} failed: libgomp's default applies";

    /// <summary>A variable as the C library (and so libgomp) sees it; null if unset. Linux and macOS only.</summary>
    public static string? Native(string name)
    {
        var value = GetEnv(name);
        return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
    }
}
