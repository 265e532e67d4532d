namespace NotebookRunner;

/// <summary>
/// <c>notebook-runner run</c> executes notebooks headless and in-process (like papermill);
/// <c>notebook-runner export</c> turns one into a .NET 10 file-based app.
/// </summary>
public static class Program
{
    /// <summary>Every notebook ran to the end.</summary>
    public const int Ok = 0;

    /// <summary>A cell failed; the executed copy holds the error.</summary>
    public const int CellFailed = 1;

    /// <summary>The command line was wrong (unknown parameter, missing file…).</summary>
    public const int UsageError = 2;

    /// <summary>Ctrl+C stopped the run.</summary>
    public const int Interrupted = 130;

    public const string Usage = """
        Usage:
          notebook-runner run <notebook.ipynb>... -o <output-folder> [-p name=value]...
              Executes each notebook from a fresh in-process C# kernel, top to bottom, and writes the executed copy
              (same file name) into the output folder. Stops at the first failing cell (exit 1). -p overrides a
              variable of the cell tagged "parameters" (papermill style: a cell tagged "injected-parameters" is
              inserted after it); a name that no notebook declares is an error (exit 2).
              --repeat N runs every notebook N times in the same kernel (like "Run All" again) and prints the
              process's memory after each pass: a check that re-running cells does not grow memory.
          notebook-runner export <notebook.ipynb> -o <app.cs>
              Writes the notebook as a .NET 10 file-based app: run it with `dotnet run app.cs`.
        """;

    public static async Task<int> Main(string[] args)
    {
        var terminal = Terminal.Create();
        try
        {
            return args.FirstOrDefault() switch
            {
                "run" => Finish(await RunCommand.RunAsync(RunArguments.Parse(args[1..]), terminal)),
                "export" => ExportCommand.Run(ExportArguments.Parse(args[1..]), terminal),
                "-h" or "--help" or "help" => ShowUsage(terminal, Ok),
                _ => throw new UsageException(args.Length == 0 ? "Say what to do: run or export." : $"Unknown command '{args[0]}'."),
            };
        }
        catch (UsageException e)
        {
            terminal.Error.WriteLine($"notebook-runner: {e.Message}");
            terminal.Error.WriteLine(Usage);
            return UsageError;
        }
    }

    /// <summary>
    /// After Ctrl+C the interrupted cell's code may still be finishing its step on another thread (the kernel reports
    /// a cancelled command at once); the executed copy is written by now, so the process ends at once, without the
    /// runtime's shutdown racing native torch threads.
    /// </summary>
    private static int Finish(int code)
    {
        if (code == Interrupted) ExitNow(Interrupted);
        return code;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "_exit")]
    private static extern void PosixExit(int status);

    private static void ExitNow(int code)
    {
        if (OperatingSystem.IsWindows()) Environment.Exit(code);
        PosixExit(code);
    }

    private static int ShowUsage(Terminal terminal, int code)
    {
        terminal.Out.WriteLine(Usage);
        return code;
    }
}

/// <summary>A mistake on the command line or in a parameter; reported with the usage text, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The real standard output and error. The C# kernel redirects <see cref="Console.Out"/> while a cell runs, so the
/// runner writes its own messages to streams opened directly, never to <see cref="Console"/>.
/// </summary>
public sealed record Terminal(TextWriter Out, TextWriter Error)
{
    public static Terminal Create() => new(
        new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true },
        new StreamWriter(Console.OpenStandardError()) { AutoFlush = true });
}
