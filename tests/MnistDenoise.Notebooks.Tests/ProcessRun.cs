using System.Diagnostics;
using System.Text;

namespace MnistDenoise.Notebooks.Tests;

/// <summary>What a finished process did.</summary>
public sealed record ProcessResult(int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0} s\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>Runs a command to completion (or kills it at the timeout), capturing its output.</summary>
internal static class ProcessRun
{
    public static ProcessResult Start(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"'{fileName} {string.Join(' ', arguments)}' did not finish within {timeout.TotalSeconds:0} s.\n{output}\n{error}");
        }
        process.WaitForExit(); // flush the asynchronous readers
        return new ProcessResult(process.ExitCode, output.ToString(), error.ToString(), clock.Elapsed);
    }

    /// <summary>Runs notebook-runner with <paramref name="arguments"/>.</summary>
    public static ProcessResult Runner(IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        Start("dotnet", [Repository.RunnerDll, .. arguments], Repository.Root, timeout ?? TimeSpan.FromMinutes(5));
}
