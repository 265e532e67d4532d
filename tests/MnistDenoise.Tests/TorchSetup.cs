using System.Runtime.CompilerServices;
using MnistDenoise.Runtime;

namespace MnistDenoise.Tests;

internal static class TorchSetup
{
    /// <summary>Every test host loads TorchSharp through the library's fix before any test touches torch.</summary>
    [ModuleInitializer]
    internal static void Initialize() => LibTorchLoader.EnsureLoaded();
}
