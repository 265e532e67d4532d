using System.Runtime.InteropServices;

namespace MnistDenoise.Runtime;

/// <summary>
/// How long libtorch's OpenMP worker threads spin before they sleep, set for this process before libtorch loads.
/// </summary>
/// <remarks>
/// libtorch on Linux runs its intra-op threads on GNU OpenMP (libgomp, shipped inside the libtorch package). At every
/// barrier a waiting thread spins <c>GOMP_SPINCOUNT</c> times (300,000 by default, about 3 ms) before it sleeps. When
/// another process occupies one of the cores, the sibling it waits for is descheduled for a whole time slice, so each
/// of the step's thousands of barriers burns milliseconds of spinning that the sibling needed: with one busy neighbour
/// on a 2-core machine the 2-thread training step became 4.8× slower (issue 10), while a 1-thread step hardly changed.
/// A short spin then sleep keeps an idle machine's barriers fast (they complete within a few microseconds) and lets
/// the descheduled sibling run on a busy one. libgomp reads its variables once, when it is loaded, and only through
/// the C library's <c>getenv</c>; <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only
/// .NET's own copy on Unix and would not reach it, hence <c>setenv</c> through P/Invoke.
/// </remarks>
public static partial class OpenMpWait
{
    /// <summary>
    /// The library's default <c>GOMP_SPINCOUNT</c> (libgomp's own default is 300,000). PROVISIONAL: chosen before a quiet
    /// measurement; <c>mnist-denoise bench</c>'s busy-neighbour table compares it with the alternatives, and this is the
    /// one value to change.
    /// </summary>
    public const string DefaultSpinCount = "10000";

    /// <summary>The variables with which a user chooses the wait behaviour; if either is set, the library sets neither.</summary>
    public static readonly IReadOnlyList<string> UserVariables = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"];

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    /// <summary>
    /// On Linux, sets <c>GOMP_SPINCOUNT</c> to <see cref="DefaultSpinCount"/> in the process environment unless the user
    /// set <c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c>. A value the user set only through .NET
    /// (<see cref="Environment.SetEnvironmentVariable(string, string)"/>, e.g. in a notebook) is passed on to the C
    /// environment, where libgomp can see it. Effective only before libtorch (and with it libgomp) is loaded; called by
    /// <see cref="LibTorchLoader.EnsureLoaded"/>. Returns what it did, in words.
    /// </summary>
    public static string ApplyDefault()
    {
        lock (Gate) return _status ??= Apply();
    }

    /// <summary>What <see cref="ApplyDefault"/> did (e.g. "GOMP_SPINCOUNT=10000 (library default)"); null before it ran.</summary>
    public static string? Status => _status;

    private static readonly Lock Gate = new();
    private static string? _status;

    private static string Apply()
    {
        if (!OperatingSystem.IsLinux())
            return "not Linux: libtorch's OpenMP runtime is not libgomp, nothing set";
        try
        {
            foreach (var name in UserVariables)
            {
                if (Native(name) is { } native) return $"{name}={native} (set by the user)";
                if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } managed)
                {
                    SetEnv(name, managed, 1);
                    return $"{name}={managed} (set by the user through .NET, passed on to the C environment)";
                }
            }
            return SetEnv("GOMP_SPINCOUNT", DefaultSpinCount, 0) == 0
                ? $"GOMP_SPINCOUNT={DefaultSpinCount} (library default)"
                : "setenv failed: libgomp's defaults apply";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "no setenv in this C library: libgomp's defaults apply";
        }
    }

    /// <summary>A variable as the C library (and so libgomp) sees it; null if unset. Linux and macOS only.</summary>
    public static string? Native(string name)
    {
        var value = GetEnv(name);
        return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
    }
}
