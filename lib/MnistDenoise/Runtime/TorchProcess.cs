using static TorchSharp.torch;

namespace MnistDenoise.Runtime;

/// <summary>
/// The process-wide settings this project runs torch with, applied by entry points only (the command line's
/// <c>Program</c>, the notebooks' setup, the tests' module initializer), never by library classes: a library that
/// changes a process's threads or allocator behind its host's back surprises the host.
/// </summary>
public static class TorchProcess
{
    /// <summary>
    /// Loads libtorch through <see cref="LibTorchLoader"/>, keeps freed memory in glibc (<see cref="NativeAllocator"/>) and,
    /// if <paramref name="threads"/> is given, sets torch's intra-op threads. Safe to call more than once.
    /// </summary>
    public static void Configure(int? threads = null)
    {
        LibTorchLoader.EnsureLoaded();
        NativeAllocator.TuneForTraining();
        if (threads is { } t) set_num_threads(t);
    }
}
