using System.CommandLine;

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

    public static async Task<int> Main(string[] args)
    {
        var terminal = Terminal.Create();
        var root = new RootCommand("Execute C# notebooks headless (like papermill), or export one to a .NET 10 file-based app.")
        {
            RunArguments.Command(async arguments => Finish(await RunCommand.RunAsync(arguments, terminal))),
            ExportArguments.Command(arguments => ExportCommand.Run(arguments, terminal)),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) terminal.Error.WriteLine($"notebook-runner: {error.Message}");
            terminal.Error.WriteLine("Run 'notebook-runner --help' (or 'notebook-runner run --help') for the usage.");
            return UsageError;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // the runner handles Ctrl+C itself (it cancels the running cell)
                Output = terminal.Out,
                Error = terminal.Error,
            });
        }
        catch (UsageException e)
        {
            terminal.Error.WriteLine($"notebook-runner: {e.Message}");
            terminal.Error.WriteLine("Run 'notebook-runner --help' (or 'notebook-runner run --help') for the usage.");
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
