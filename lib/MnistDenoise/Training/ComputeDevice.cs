using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Training;

/// <summary>Turns a device name ("cpu", "cuda", "cuda:1") into a TorchSharp device, with a clear error when CUDA is absent.</summary>
public static class ComputeDevice
{
    /// <summary>The CUDA build of TorchSharp to reference on this operating system.</summary>
    public static string CudaPackage => OperatingSystem.IsWindows() ? "TorchSharp-cuda-windows" : "TorchSharp-cuda-linux";

    /// <summary>Whether <paramref name="name"/> names a device: cpu, cuda or cuda:&lt;index&gt; (any case, spaces around ignored).</summary>
    public static bool IsValidName(string? name) => Parse(name) is not null;

    /// <summary>Parses <paramref name="name"/> and checks that the device exists.</summary>
    /// <exception cref="ArgumentException">Unknown device name.</exception>
    /// <exception cref="InvalidOperationException">CUDA was asked for but this TorchSharp build or machine has none.</exception>
    public static Device Resolve(string name)
    {
        var (isCuda, index) = Parse(name) ?? throw new ArgumentException($"Unknown device '{name}'. Use 'cpu', 'cuda' or 'cuda:<index>'.", nameof(name));
        if (!isCuda) return CPU;
        if (!cuda.is_available())
            throw new InvalidOperationException(
                $"Device '{name}' was asked for, but CUDA is not available: this build references the CPU-only " +
                $"TorchSharp-cpu package, or no NVIDIA GPU/driver is present. For an NVIDIA GPU, replace TorchSharp-cpu " +
                $"with {CudaPackage} (same TorchSharp version) in Directory.Packages.props and the project files, or train on the CPU.");
        if (index >= cuda.device_count())
            throw new InvalidOperationException($"Device '{name}' does not exist: {cuda.device_count()} CUDA device(s) found.");
        return new Device(DeviceType.CUDA, index);
    }

    // The one reading of a device name: (false, 0) for the CPU, (true, index) for CUDA, null for anything else.
    private static (bool Cuda, int Index)? Parse(string? name)
    {
        var device = name?.Trim().ToLowerInvariant();
        if (device == "cpu") return (false, 0);
        if (device == "cuda") return (true, 0);
        return device is not null && device.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(device[5..], out var i) && i >= 0
            ? (true, i) : null;
    }
}
