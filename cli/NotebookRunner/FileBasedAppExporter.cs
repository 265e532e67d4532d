using System.Text;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;

namespace NotebookRunner;

/// <summary>
/// Writes a notebook as a .NET 10 file-based app (<c>dotnet run app.cs</c>), Microsoft's suggested path away from
/// .NET Interactive: <c>#r "nuget: X, v"</c> becomes <c>#:package X@v</c>, a <c>#r</c> of a project's built DLL
/// becomes <c>#:project</c> of that project, <c>#!import</c> is inlined (except <c>build.dib</c>, which <c>#:project</c> replaces), using directives move to the top, markdown
/// becomes comments, and the notebook-only calls (<c>display</c>, the kernel's cancellation token) get a small shim.
/// Cells become one top-level program, so a notebook that redeclares a variable in a later cell does not export.
/// </summary>
public static partial class FileBasedAppExporter
{
    [GeneratedRegex("""^\s*#r\s+"nuget:\s*(?<id>[^,"\s]+)\s*(?:,\s*(?<version>[^"\s]+))?\s*"\s*$""")]
    private static partial Regex NugetReference();

    [GeneratedRegex("""^\s*#r\s+"(?<path>[^"]+)"\s*$""")]
    private static partial Regex AssemblyReference();

    [GeneratedRegex("""^\s*#!import\s+"?(?<path>[^"\s]+)"?\s*$""")]
    private static partial Regex Import();

    [GeneratedRegex("""^using\s+(static\s+)?[\w.]+(\s*=\s*[\w.<>, ]+)?\s*;\s*(//.*)?$""")]
    private static partial Regex UsingDirective();

    /// <summary>The notebooks' first import, which builds the library for the #r that follows; an app's #:project does that.</summary>
    public const string BuildFile = "build.dib";

    /// <summary>The kernel's cancellation token, which exported apps replace with Ctrl+C's.</summary>
    public const string KernelCancellationToken = "KernelInvocationContext.Current.CancellationToken";

    /// <summary>The app's source for the notebook at <paramref name="notebookPath"/>, to be written at <paramref name="outputPath"/>.</summary>
    public static string Export(string notebookPath, string outputPath)
    {
        var state = new State(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        var document = RunCommand.Read(notebookPath);
        AddDocument(document, Path.GetDirectoryName(Path.GetFullPath(notebookPath))!, state);

        var app = new StringBuilder();
        app.AppendLine($"// {Path.GetFileName(notebookPath)} as a .NET 10 file-based app, written by `notebook-runner export`.");
        app.AppendLine($"// Run it with `dotnet run {Path.GetFileName(outputPath)}` from the notebook's folder (paths in it are relative to that folder).");
        foreach (var d in state.Directives) app.AppendLine(d);
        // Notebook code is script code: keep a repository's Directory.*.props (central package versions, warnings as
        // errors) from turning the versions above or the notebook's warnings into errors when the app lives inside it.
        app.AppendLine("#:property ManagePackageVersionsCentrally=false");
        app.AppendLine("#:property TreatWarningsAsErrors=false");
        app.AppendLine("#:property NoWarn=$(NoWarn);NU1603;CS1591");
        app.AppendLine();
        foreach (var u in state.Usings) app.AppendLine(u);
        app.AppendLine();
        app.Append(state.Body.ToString().TrimEnd()).AppendLine();
        app.AppendLine();
        app.Append(Shim(state.Directives.Any(d => d.Contains("MnistDenoise.Notebooks.csproj", StringComparison.Ordinal)),
            Path.GetFileNameWithoutExtension(outputPath)));
        return app.ToString();
    }

    private sealed class State(string outputFolder)
    {
        public string OutputFolder { get; } = outputFolder;
        public List<string> Directives { get; } = [];
        public List<string> Usings { get; } = [];
        public StringBuilder Body { get; } = new();
        public HashSet<string> Imported { get; } = [];
    }

    private static void AddDocument(InteractiveDocument document, string folder, State state)
    {
        foreach (var element in document.Elements)
        {
            if (RunCommand.Tags(element).Contains(Parameters.InjectedTag)) continue; // the parameters cell above has the defaults
            if (element.KernelName == "markdown")
            {
                state.Body.AppendLine();
                foreach (var line in element.Contents.TrimEnd().Split('\n')) state.Body.AppendLine(("// " + line.TrimEnd('\r')).TrimEnd());
                continue;
            }
            if (element.KernelName is not (null or "csharp"))
                throw new UsageException($"A '{element.KernelName}' cell cannot go into a C# app; only C# cells export.");
            state.Body.AppendLine();
            AddCode(element.Contents, folder, state);
        }
    }

    private static void AddCode(string code, string folder, State state)
    {
        foreach (var raw in code.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (NugetReference().Match(line) is { Success: true } nuget)
            {
                var version = nuget.Groups["version"].Success ? "@" + nuget.Groups["version"].Value : "";
                AddOnce(state.Directives, $"#:package {nuget.Groups["id"].Value}{version}");
            }
            else if (AssemblyReference().Match(line) is { Success: true } reference)
            {
                var dll = Path.GetFullPath(Path.Combine(folder, reference.Groups["path"].Value));
                var project = ProjectOf(dll) ?? throw new UsageException(
                    $"'{reference.Groups["path"].Value}' is a DLL without a project above it; a file-based app can reference projects and packages only.");
                AddOnce(state.Directives, $"#:project {Path.GetRelativePath(state.OutputFolder, project).Replace('\\', '/')}");
            }
            else if (Import().Match(line) is { Success: true } import)
            {
                if (Path.GetFileName(import.Groups["path"].Value) == BuildFile)
                {
                    // The notebooks' build step; #:project builds the library when the app is built.
                    state.Body.AppendLine($"// (notebook only) {line.Trim()}: #:project below builds the library instead.");
                    continue;
                }
                var path = Path.GetFullPath(Path.Combine(folder, import.Groups["path"].Value));
                if (!state.Imported.Add(path)) continue;
                state.Body.AppendLine($"// From {import.Groups["path"].Value} (the notebook imports it with #!import):");
                var importedFolder = Path.GetDirectoryName(path)!;
                if (path.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase)) AddDocument(RunCommand.Read(path), importedFolder, state);
                else AddDocument(CodeSubmission.Parse(File.ReadAllText(path), NotebookKernel.KernelInfos), importedFolder, state);
            }
            else if (line.TrimStart().StartsWith("#!", StringComparison.Ordinal))
            {
                state.Body.AppendLine("// (notebook only) " + line.Trim());
            }
            else if (UsingDirective().IsMatch(line.Trim()))
            {
                AddOnce(state.Usings, line.Trim());
            }
            else
            {
                state.Body.AppendLine(line.Replace(KernelCancellationToken, "NotebookApp.CancellationToken", StringComparison.Ordinal));
            }
        }
    }

    private static void AddOnce(List<string> list, string line)
    {
        if (!list.Contains(line)) list.Add(line);
    }

    /// <summary>The project that builds <paramref name="dll"/> (…/Name/bin/Release/net10.0/Name.dll → …/Name/Name.csproj), or null.</summary>
    internal static string? ProjectOf(string dll)
    {
        var name = Path.GetFileNameWithoutExtension(dll);
        for (var dir = Directory.GetParent(dll); dir is not null; dir = dir.Parent)
        {
            var project = Path.Combine(dir.FullName, name + ".csproj");
            if (File.Exists(project)) return project;
        }
        return null;
    }

    private static string Shim(bool notebookHelpers, string appName) =>
        $$"""
        // ---- Notebook-only calls, for running outside a notebook kernel (added by notebook-runner export) ----

        static void display(object? value) => NotebookApp.Display(value);

        /// <summary>What a notebook kernel provides: display() and a cancellation token (here: Ctrl+C's).</summary>
        static class NotebookApp
        {
            private static readonly CancellationTokenSource Cancellation = OnCtrlC();
            private static int _outputs;

            public static CancellationToken CancellationToken => Cancellation.Token;

            public static void Display(object? value)
            {
        {{(notebookHelpers ? """
                switch (value)
                {
                    case MnistDenoise.Notebooks.PngImage png:
                        Console.WriteLine($"{png} (saved to {Save("png", png.Bytes)})");
                        return;
                    case Plotly.NET.GenericChart chart:
                        Console.WriteLine($"[chart] (saved to {Save("html", System.Text.Encoding.UTF8.GetBytes(Plotly.NET.GenericChart.toEmbeddedHTML(chart)))})");
                        return;
                }
        """ : "")}}
                Console.WriteLine(value);
            }

            private static string Save(string extension, byte[] bytes)
            {
                var path = Path.Combine("out", $"{{appName}}-{++_outputs}.{extension}");
                Directory.CreateDirectory("out");
                File.WriteAllBytes(path, bytes);
                return path;
            }

            private static CancellationTokenSource OnCtrlC()
            {
                var source = new CancellationTokenSource();
                Console.CancelKeyPress += (_, e) =>
                {
                    if (source.IsCancellationRequested) return;
                    e.Cancel = true;
                    source.Cancel();
                };
                return source;
            }
        }

        """;
}
