namespace NotebookRunner;

/// <summary><c>notebook-runner export</c>: a notebook as a .NET 10 file-based app.</summary>
public static class ExportCommand
{
    public static int Run(ExportArguments arguments, Terminal terminal)
    {
        var app = FileBasedAppExporter.Export(arguments.Notebook, arguments.Output);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(arguments.Output))!);
        File.WriteAllText(arguments.Output, app);
        terminal.Out.WriteLine($"Wrote {arguments.Output}; run it with: dotnet run {arguments.Output}");
        return Program.Ok;
    }
}
