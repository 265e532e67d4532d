using System.Runtime.CompilerServices;
using MnistDenoise.Runtime;

namespace MnistDenoise.Tests;

internal static class TorchSetup
{
    /// <summary>Every test host loads TorchSharp through the library's fix, with the project's process settings, before any test touches torch.</summary>
    [ModuleInitializer]
    internal static void Initialize() => TorchProcess.Configure();
}
