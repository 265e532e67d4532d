using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace NotebookRunner;

/// <summary>The kernel a notebook runs in: C# with <c>#r "nuget: …"</c>, inside a composite kernel with <c>#!import</c>.</summary>
public static class NotebookKernel
{
    /// <summary>The kernel names a notebook's cells may use.</summary>
    public static KernelInfoCollection KernelInfos { get; } = CreateKernelInfos();

    /// <summary>A fresh kernel: nothing declared, no package referenced.</summary>
    public static CompositeKernel Create()
    {
        var csharp = new CSharpKernel()
            .UseNugetDirective((kernel, references) =>
            {
                kernel.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                return Task.CompletedTask;
            }, forceRestore: false)
            .UseKernelHelpers()
            .UseValueSharing();
        var composite = new CompositeKernel { csharp }.UseImportMagicCommand();
        composite.DefaultKernelName = csharp.Name;
        return composite;
    }

    private static KernelInfoCollection CreateKernelInfos()
    {
        var infos = new KernelInfoCollection { new("csharp", "C#", ["cs", "C#", "c#"]) };
        infos.DefaultKernelName = "csharp";
        return infos;
    }
}
