using System.Reflection;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using MnistDenoise.Data;
using MnistDenoise.Runtime;
using Plotly.NET;

namespace MnistDenoise.Notebooks;

/// <summary>
/// The compatibility fixes every notebook needs, in one idempotent call: TorchSharp's native load on
/// Debian 12 (<see cref="LibTorchLoader.EnsureLoaded"/>), Plotly.NET's FSharp.Core 10.1 reference inside a
/// kernel that ships FSharp.Core 10.0, and the formatters for this project's display types.
/// </summary>
public static class NotebookSetup
{
    private static readonly Lock Gate = new();
    private static bool _applied;

    /// <summary>
    /// The repository's <c>data/mnist</c> as the notebooks see it: they run in <c>notebooks/</c> (Jupyter, the notebook
    /// runner and exported apps alike), so it is <c>../data/mnist</c>, as a full path.
    /// </summary>
    public static string DataDirectory => Path.GetFullPath(Path.Combine("..", "data", "mnist"));

    /// <summary>The folder to read <paramref name="dataset"/> from: <see cref="DataDirectory"/> for MNIST, null (its own system folder) for Fashion-MNIST.</summary>
    public static string? DataDirectoryFor(string dataset) => KnownDatasets.Canonical(dataset) == "mnist" ? DataDirectory : null;

    /// <summary>True once <see cref="Apply"/> has run in this process.</summary>
    public static bool IsApplied => _applied;

    /// <summary>
    /// Applies every fix; the native load and the resolve handler happen once per process, the formatters are
    /// registered again on every call (a new kernel in the same process may have reset them). Must run before the
    /// first use of torch or Plotly.NET.
    /// </summary>
    public static void Apply()
    {
        lock (Gate)
        {
            if (!_applied)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveLoadedFSharpCore;
                TorchProcess.Configure();
                _applied = true;
            }
            RegisterFormatters();
            QuietAssemblyUnificationWarnings();
        }
    }

    /// <summary>
    /// TorchSharp is built against .NET 8's System.Runtime.Numerics and the kernel runs .NET 10, so every cell that
    /// touches an overload with a <c>Complex</c> parameter gets warning CS1701 ("Assuming assembly reference … matches
    /// identity …") printed under it. Project builds silence it (the SDK's NoWarn 1701;1702); a script cannot, not even
    /// with #pragma (the warning has no source location). This sets the running C# kernel's warning level to 1, which
    /// drops CS1701 (level 2) and CS1702 (level 3), and with them other level 2-4 warnings. .NET Interactive is archived,
    /// so the private field it sets will not move; if it is missing, nothing happens.
    /// </summary>
    private static void QuietAssemblyUnificationWarnings()
    {
        var kernel = KernelInvocationContext.Current?.HandlingKernel;
        if (kernel is null || kernel.GetType().FullName != "Microsoft.DotNet.Interactive.CSharp.CSharpKernel") return;
        var field = kernel.GetType().GetField("_scriptOptions", BindingFlags.NonPublic | BindingFlags.Instance);
        var options = field?.GetValue(kernel);
        var withWarningLevel = options?.GetType().GetMethod("WithWarningLevel", [typeof(int)]);
        if (field is null || options is null || withWarningLevel is null) return;
        field.SetValue(kernel, withWarningLevel.Invoke(options, [1]));
    }

    /// <summary>
    /// Plotly.NET 6.0.0 asks for FSharp.Core 10.1.0.0; the .NET Interactive kernel has already loaded its own
    /// FSharp.Core 10.0, and one process cannot load both. Answering the request with the loaded one works.
    /// </summary>
    internal static Assembly? ResolveLoadedFSharpCore(object? sender, ResolveEventArgs args)
    {
        var name = new AssemblyName(args.Name);
        if (name.Name != "FSharp.Core") return null;
        return AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
    }

    private static void RegisterFormatters()
    {
        Formatter.Register<PngImage>((image, writer) => writer.Write(Convert.ToBase64String(image.Bytes)), PngImage.MimeType);
        Formatter.Register<PngImage>((image, writer) => writer.Write(image.ToString()), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(PngImage), PngImage.MimeType, PlainTextFormatter.MimeType);

        Formatter.Register<Table>((table, writer) => writer.Write(table.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<Table>((table, writer) => writer.Write(table.ToString()), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(Table), HtmlFormatter.MimeType, PlainTextFormatter.MimeType);

        // What Plotly.NET.Interactive's kernel extension registers when a kernel loads extensions (Jupyter,
        // VS Code); done here too so that hosts that do not load extensions (the notebook runner) show the same.
        Formatter.Register<GenericChart>((chart, writer) => writer.Write(Plotly.NET.Interactive.Formatters.toInteractiveHTML(chart)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(GenericChart), HtmlFormatter.MimeType);
    }
}
