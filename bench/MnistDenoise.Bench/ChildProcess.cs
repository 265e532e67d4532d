using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MnistDenoise.Bench;

/// <summary>
/// Child processes of the bench: its own host re-run with <c>bench --worker JOB</c>, and the peers (Python, the
/// notebook runner), each answering with one JSON line. Every measurement that needs a fresh process (an environment
/// read once at load, a peak RSS of its own) runs this way.
/// </summary>
internal static class ChildProcess
{
    /// <summary>Runs <c>bench --worker <paramref name="job"/></c> in a new host process; its JSON, or null after saying why.</summary>
    /// <param name="job">The worker job (see <see cref="Workers"/>).</param>
    /// <param name="s">The settings the child measures with.</param>
    /// <param name="env">Environment changes; a null value removes that variable.</param>
    /// <param name="label">Shown after the job's name in the progress line.</param>
    public static JsonObject? RunWorker(string job, BenchSettings s, Dictionary<string, string?>? env = null, string? label = null)
    {
        var (file, prefix) = Host();
        Progress.Step($"child: {job}{(label is null ? "" : ", " + label)}");
        return RunJson(file, [.. prefix, "bench", "--worker", job, .. s.Arguments()], env, out var error) ?? Progress.Skipped($"child '{job}' failed: {error}");
    }

    /// <summary>
    /// The running host, as an apphost or as <c>dotnet host.dll</c>: the entry assembly, not this library, because
    /// the host is what has <c>bench</c> as a command.
    /// </summary>
    public static (string File, string[] Prefix) Host()
    {
        var process = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? (process, [Assembly.GetEntryAssembly()!.Location])
            : (process, []);
    }

    /// <summary>Runs a child, returns the last stdout line parsed as JSON (null and the reason if it fails).</summary>
    /// <param name="file">The program.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="env">Environment changes; a null value removes that variable from the child's environment.</param>
    /// <param name="error">Why it failed, or empty.</param>
    /// <param name="expectJson">False for a child that writes its results to a file: success is an empty object.</param>
    public static JsonObject? RunJson(string file, IEnumerable<string> args, Dictionary<string, string?>? env, out string error, bool expectJson = true)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? [])
            if (v is null) info.Environment.Remove(k);
            else info.Environment[k] = v;
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                error = $"exit code {process.ExitCode}: {Tail(stderr.Result + stdout)}";
                return null;
            }
            error = "";
            if (!expectJson) return new JsonObject();
            var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            return last is not null && last.StartsWith('{') ? JsonNode.Parse(last)!.AsObject() : throw new InvalidDataException($"no JSON in: {Tail(stdout)}");
        }
        catch (Exception e) when (e is Win32Exception or InvalidDataException or JsonException)
        {
            error = e.Message;
            return null;
        }
    }

    private static string Tail(string text) => text.Length <= 400 ? text.Trim() : "…" + text[^400..].Trim();

    /// <summary>A file of the repository clone the bench runs from (found above the binary or the current folder), or null.</summary>
    public static string? RepositoryFile(string relative)
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "global.json")) && File.Exists(Path.Combine(dir.FullName, relative)))
                    return Path.Combine(dir.FullName, relative);
        return null;
    }

    /// <summary>A JSON array of numbers from a child, or null.</summary>
    public static List<double>? Doubles(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<double>()).ToList();
}
