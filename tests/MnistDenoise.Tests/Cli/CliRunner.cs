using System.Diagnostics;

namespace MnistDenoise.Tests.Cli;

/// <summary>Runs the real command line (mnist-denoise.dll, copied next to the tests) in a child process.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args) => RunIn(null, TimeSpan.FromMinutes(5), args);

    /// <summary>Runs it with environment changes: a null value removes the variable from the child's environment.</summary>
    public static Result Run(IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Wait(Process.Start(StartInfo(null, args, environment))!, TimeSpan.FromMinutes(5), args);

    /// <summary>Runs in <paramref name="workingDirectory"/> (null: this process's), killed after <paramref name="timeout"/>.</summary>
    public static Result RunIn(string? workingDirectory, TimeSpan timeout, params string[] args) =>
        Wait(Process.Start(StartInfo(workingDirectory, args))!, timeout, args);

    /// <summary>Like <see cref="Run(string[])"/>, with extra environment variables for the child.</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Run(environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value), args);

    private static Result Wait(Process started, TimeSpan timeout, string[] args)
    {
        using var process = started;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mnist-denoise {string.Join(' ', args)} ran over {timeout.TotalSeconds:0} s");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Starts the command line without waiting, output and error redirected.</summary>
    public static Process Start(string? workingDirectory, params string[] args) => Process.Start(StartInfo(workingDirectory, args))!;

    private static ProcessStartInfo StartInfo(string? workingDirectory, string[] args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mnist-denoise.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        return psi;
    }
}
