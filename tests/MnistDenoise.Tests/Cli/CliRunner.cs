using System.Diagnostics;

namespace MnistDenoise.Tests.Cli;

/// <summary>Runs the real command line (mnist-denoise.dll, copied next to the tests) in a child process.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args) => RunIn(null, TimeSpan.FromMinutes(5), args);

    /// <summary>Runs in <paramref name="workingDirectory"/> (null: this process's), killed after <paramref name="timeout"/>.</summary>
    public static Result RunIn(string? workingDirectory, TimeSpan timeout, params string[] args)
    {
        using var process = Process.Start(StartInfo(workingDirectory, args))!;
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

    private static ProcessStartInfo StartInfo(string? workingDirectory, string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mnist-denoise.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["COLUMNS"] = "200";
        return psi;
    }
}
