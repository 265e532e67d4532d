using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using MnistDenoise.Data;
using MnistDenoise.Model;
using MnistDenoise.Tests.Data;
using MnistDenoise.Training;

namespace MnistDenoise.Tests.Cli;

/// <summary>
/// Issue 11: nothing a user does by accident loses a trained model. Each test runs the real command line as a child
/// process with tiny settings: resume targets, --mirror, unwritable outputs, signals, locks, temporaries, special files,
/// thread counts and sizes.
/// </summary>
public class RobustnessTests
{
    private const int SigHup = 1, SigInt = 2, SigTerm = 15;

#pragma warning disable SYSLIB1054 // a plain DllImport keeps the test project free of unsafe code
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);
#pragma warning restore SYSLIB1054

    // 200 steps of 10 images on one thread: long enough to act on after the first progress line, a few seconds in all.
    private static readonly string[] Slow = ["--train-size", "2000", "--batch-size", "10", "--epochs", "1", "--eval-size", "20", "--threads", "1"];
    private static readonly string[] Tiny = ["--train-size", "200", "--batch-size", "50", "--epochs", "1", "--eval-size", "20"];

    /// <summary>Reads <paramref name="reader"/> line by line until one contains <paramref name="text"/>; fails with what was seen if it ends first.</summary>
    private static async Task<string> WaitForLine(StreamReader reader, string text, Process process)
    {
        var seen = new System.Text.StringBuilder();
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null)
        {
            seen.AppendLine(line);
            if (line.Contains(text)) return seen.ToString();
        }
        process.WaitForExit(10_000);
        Assert.Fail($"never saw '{text}' (exit {(process.HasExited ? process.ExitCode : -1)}):\n{seen}");
        return "";
    }

    private static (int ExitCode, string Output, string Error) Finish(Process process, Task<string> output, Task<string> error, TimeSpan within)
    {
        if (!process.WaitForExit(within))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the command line did not stop within {within.TotalSeconds:0} s:\n{output.Result}\n{error.Result}");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    private static void Signal(Process process, int signal) =>
        Assert.True(Kill(process.Id, signal) == 0, $"kill({process.Id}, {signal}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");

    [Theory]
    [InlineData(SigTerm, 143)]
    [InlineData(SigHup, 129)]
    public async Task Sigterm_and_sighup_save_a_resumable_checkpoint_and_print_a_copy_paste_safe_resume_line(int signal, int exitCode)
    {
        if (OperatingSystem.IsWindows()) return; // POSIX signals
        using var temp = new TestPaths.TempDirectory();
        var runA = Path.Combine(temp.Path, "run A"); // a space: the printed command must quote it
        using var cli = CliRunner.Start(null, ["train", .. Slow, "-o", runA]);
        var error = cli.StandardError.ReadToEndAsync();
        await WaitForLine(cli.StandardOutput, "Trianing loss", cli);
        Signal(cli, signal);
        var (code, output, err) = Finish(cli, cli.StandardOutput.ReadToEndAsync(), error, TimeSpan.FromMinutes(2));
        Assert.True(code == exitCode, $"exit {code}\n{output}\n{err}");

        var checkpoint = Path.Combine(runA, Checkpoint.DefaultFileName);
        Assert.InRange(Checkpoint.Inspect(checkpoint).CompletedSteps, 1, 199);
        var resumeLine = output.Split('\n').Single(l => l.StartsWith("Continue with:", StringComparison.Ordinal)).TrimEnd('\r');
        Assert.Equal($"Continue with: mnist-denoise train --resume '{checkpoint}'", resumeLine);
    }

    [Fact]
    public void A_resumed_run_writes_beside_its_checkpoint_says_when_threads_change_and_its_metrics_name_the_checkpoint()
    {
        using var temp = new TestPaths.TempDirectory();
        var runA = Path.Combine(temp.Path, "runA");
        var first = CliRunner.Run(["train", .. Tiny, "--threads", "2", "-o", runA]);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);

        // Another run's model in ./out of the folder the user resumes from: it must survive.
        var cwd = Path.Combine(temp.Path, "elsewhere");
        Directory.CreateDirectory(Path.Combine(cwd, "out"));
        var other = Path.Combine(cwd, "out", Checkpoint.DefaultFileName);
        File.WriteAllText(other, "another run's model");

        var checkpoint = Path.Combine(runA, Checkpoint.DefaultFileName);
        var resumed = CliRunner.RunIn(cwd, TimeSpan.FromMinutes(5), "train", "--resume", checkpoint, "--epochs", "2", "--eval-size", "20", "--threads", "1");
        Assert.True(resumed.ExitCode == 0, resumed.Output + resumed.Error);
        Assert.Equal("another run's model", File.ReadAllText(other));
        Assert.Equal(8, Checkpoint.Inspect(checkpoint).CompletedSteps);
        Assert.Contains("Threads: 1 now, 2 in the checkpoint's run", resumed.Output);

        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(runA, "metrics.json"))).RootElement;
        Assert.Equal(8, metrics.GetProperty("steps").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(checkpoint))), metrics.GetProperty("checkpoint_sha256").GetString());
    }

    private static LocalHttpServer MnistMirror(out Uri url)
    {
        var server = new LocalHttpServer();
        foreach (var file in DatasetSpec.Mnist.Files)
            server.Serve($"/mnist/{file.GzipName}", File.ReadAllBytes(Path.Combine(TestPaths.RepositoryRoot, "data", "mnist", file.GzipName)));
        url = server.Url("mnist");
        return server;
    }

    [Fact]
    public void Mirror_takes_a_url_and_downloads_the_missing_files_from_it()
    {
        using var temp = new TestPaths.TempDirectory();
        using var server = MnistMirror(out var url);
        var data = Path.Combine(temp.Path, "data");
        var r = CliRunner.Run(["train", .. Tiny, "--data", data, "--mirror", url.AbsoluteUri, "-o", Path.Combine(temp.Path, "out")]);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        Assert.Equal(DatasetSpec.Mnist.Files.Select(f => $"/mnist/{f.GzipName}").Order(), server.Requests.Order());
        Assert.Equal(4, Directory.GetFiles(data, "*.gz").Length);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.com/mnist/")]
    [InlineData("example.com/mnist")]
    public void A_malformed_mirror_exits_with_2_before_any_work(string mirror)
    {
        var r = CliRunner.Run("train", "--mirror", mirror);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--mirror: '{mirror}' is not an http:// or https:// URL", r.Error);
        Assert.DoesNotContain("Reading", r.Output);
    }

    [Fact]
    public async Task Ctrl_C_during_a_download_stops_it_at_once_with_130_and_leaves_nothing_behind()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TestPaths.TempDirectory();
        using var server = new LocalHttpServer();
        foreach (var file in DatasetSpec.Mnist.Files) server.Stall($"/mnist/{file.GzipName}", 10_000_000);
        var data = Path.Combine(temp.Path, "data");
        using var cli = CliRunner.Start(null, ["train", .. Tiny, "--data", data, "--mirror", server.Url("mnist").AbsoluteUri, "-o", Path.Combine(temp.Path, "out")]);
        var output = cli.StandardOutput.ReadToEndAsync();
        await WaitForLine(cli.StandardError, "downloading", cli);
        var clock = Stopwatch.StartNew();
        Signal(cli, SigInt);
        var (code, _, err) = Finish(cli, output, cli.StandardError.ReadToEndAsync(), TimeSpan.FromSeconds(60));
        Assert.True(code == 130, $"exit {code}\n{err}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed.TotalSeconds:0} s to stop");
        Assert.Empty(Directory.GetFiles(data));
    }

    [Fact]
    public async Task Ctrl_C_during_scoring_stops_it_with_130_and_keeps_the_trained_model()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TestPaths.TempDirectory();
        // All 10,000 test images: scoring takes long enough to interrupt.
        using var cli = CliRunner.Start(null, "train", "--train-size", "200", "--batch-size", "50", "--epochs", "1", "-o", temp.Path);
        var error = cli.StandardError.ReadToEndAsync();
        await WaitForLine(cli.StandardOutput, "Scoring", cli);
        Signal(cli, SigInt);
        var (code, output, err) = Finish(cli, cli.StandardOutput.ReadToEndAsync(), error, TimeSpan.FromSeconds(90));
        Assert.True(code == 130, $"exit {code}\n{output}\n{err}");
        Assert.Contains("Scoring stopped", output);
        Assert.Equal(4, Checkpoint.Inspect(Path.Combine(temp.Path, Checkpoint.DefaultFileName)).CompletedSteps);
        Assert.False(File.Exists(Path.Combine(temp.Path, "metrics.json")));
    }

    [Fact]
    public void An_unwritable_output_exits_with_2_before_any_work()
    {
        using var temp = new TestPaths.TempDirectory();
        // A results file that names an existing folder.
        var results = CliRunner.Run("results", "-o", temp.Path);
        Assert.Equal(2, results.ExitCode);
        Assert.Contains("is a folder", results.Error);

        if (!OperatingSystem.IsLinux()) return;
        // /proc/self exists and nobody, root included, can create a file in it: the same as a read-only folder.
        var train = CliRunner.Run(["train", .. Tiny, "-o", "/proc/self"]);
        Assert.Equal(2, train.ExitCode);
        Assert.Contains("--output: cannot write to '/proc/self'", train.Error);
        Assert.DoesNotContain("Reading", train.Output);
    }

    [Fact]
    public async Task A_save_that_fails_after_training_keeps_the_model_in_a_fallback_folder_and_says_where()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TestPaths.TempDirectory();
        using var cli = CliRunner.Start(null, ["train", "--train-size", "3000", "--batch-size", "10", "--epochs", "1", "--eval-size", "20", "--threads", "1", "-o", temp.Path]);
        var error = cli.StandardError.ReadToEndAsync();
        await WaitForLine(cli.StandardOutput, "Trianing loss", cli);
        // The folder passed the start-up check; now the checkpoint's name is taken by a folder, so the final save fails
        // as it would on a disk that filled up during training.
        Directory.CreateDirectory(Path.Combine(temp.Path, Checkpoint.DefaultFileName));
        var (code, output, err) = Finish(cli, cli.StandardOutput.ReadToEndAsync(), error, TimeSpan.FromMinutes(4));
        Assert.True(code == 1, $"exit {code}\n{output}\n{err}");
        var line = err.Split('\n').Single(l => l.StartsWith("Saved it to ", StringComparison.Ordinal));
        var rescued = line["Saved it to ".Length..line.IndexOf(" instead", StringComparison.Ordinal)];
        try
        {
            Assert.Equal(300, Checkpoint.Inspect(rescued).CompletedSteps);
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(rescued)!, "metrics.json")));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(rescued)!, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_run_into_the_same_folder_is_refused_and_a_dead_runs_lock_is_taken_over()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TestPaths.TempDirectory();
        File.WriteAllText(Path.Combine(temp.Path, ".mnist-denoise.lock"), "999999\n"); // left by a run that was killed
        using var first = CliRunner.Start(null, ["train", .. Slow, "-o", temp.Path]);
        var error = first.StandardError.ReadToEndAsync();
        await WaitForLine(first.StandardOutput, "Trianing loss", first);

        var second = CliRunner.Run(["train", .. Tiny, "-o", temp.Path]);
        Signal(first, SigInt);
        var (code, output, err) = Finish(first, first.StandardOutput.ReadToEndAsync(), error, TimeSpan.FromMinutes(2));
        Assert.True(second.ExitCode == 2, second.Output + second.Error);
        Assert.Contains($"is in use by another mnist-denoise run (process {first.Id}", second.Error);
        Assert.DoesNotContain("Reading", second.Output);
        Assert.True(code == 130, $"exit {code}\n{output}\n{err}");
    }

    [Fact]
    public void Temporaries_of_killed_saves_are_removed_and_nothing_else()
    {
        using var temp = new TestPaths.TempDirectory();
        var checkpoint = Path.Combine(temp.Path, "model.weights");
        using (var model = new ConvAutoencoder(seed: 1)) Checkpoint.Save(model, checkpoint);
        var output = Path.Combine(temp.Path, "out");
        Directory.CreateDirectory(output);
        string Make(string name, TimeSpan age)
        {
            var path = Path.Combine(output, name);
            File.WriteAllText(path, "x");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
            return path;
        }
        var killed = Make($".autoencoder.weights.{Guid.NewGuid():N}.tmp", TimeSpan.FromHours(1));
        var killedMetrics = Make($".metrics.json.{Guid.NewGuid():N}.tmp", TimeSpan.FromHours(1));
        var inProgress = Make($".autoencoder.weights.{Guid.NewGuid():N}.tmp", TimeSpan.Zero);
        var notOurs = Make(".notes.tmp", TimeSpan.FromHours(1));

        var r = CliRunner.Run("reconstruct", "--checkpoint", checkpoint, "--images", "2", "-o", output);
        Assert.True(r.ExitCode == 0, r.Output + r.Error);
        Assert.False(File.Exists(killed));
        Assert.False(File.Exists(killedMetrics));
        Assert.True(File.Exists(inProgress));
        Assert.True(File.Exists(notOurs));
        Assert.Contains("left by a run that was killed while saving", r.Error);
    }

    [Fact]
    public void Special_files_are_refused_with_2_instead_of_read_forever()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var temp = new TestPaths.TempDirectory();
        var zero = CliRunner.RunIn(null, TimeSpan.FromSeconds(60), "reconstruct", "--checkpoint", "/dev/zero");
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("'/dev/zero' is a character device (not a regular file)", zero.Error);

        var fifo = Path.Combine(temp.Path, "fifo.weights");
        Assert.Equal(0, MkFifo(fifo, Convert.ToUInt32("600", 8)));
        var r = CliRunner.RunIn(null, TimeSpan.FromSeconds(60), "train", "--resume", fifo);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is a FIFO (named pipe) (not a regular file)", r.Error);

        // The library itself refuses them too, before opening (a FIFO would block) or reading (a device never ends).
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Inspect(fifo));
        Assert.Contains("FIFO", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Checkpoint.Inspect("/dev/zero"));
        Assert.Contains("character device", e.Message);
    }

    [Fact]
    public void Absurd_thread_counts_are_refused_and_more_threads_than_cores_are_warned_about()
    {
        var cap = TrainingLimits.ThreadsPerCore * Environment.ProcessorCount;
        var r = CliRunner.Run("train", "--threads", "1024");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"--threads must be between 1 and {Math.Min(cap, 1024)}; got 1024", r.Error);

        using var temp = new TestPaths.TempDirectory();
        var over = CliRunner.Run(["train", .. Tiny, "--threads", (Environment.ProcessorCount + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", temp.Path]);
        Assert.True(over.ExitCode == 0, over.Output + over.Error);
        Assert.Contains($"warning: {Environment.ProcessorCount + 1} threads on {Environment.ProcessorCount} core(s)", over.Error);
    }

    [Fact]
    public void Reconstruct_checks_the_checkpoint_before_reading_data_and_eval_size_beyond_the_test_set_is_refused()
    {
        using var temp = new TestPaths.TempDirectory();
        var missing = CliRunner.Run("reconstruct", "--checkpoint", Path.Combine(temp.Path, "none.weights"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--checkpoint: no checkpoint at", missing.Error);
        Assert.DoesNotContain("Reading", missing.Output);

        var big = CliRunner.Run("train", "--eval-size", "100000");
        Assert.Equal(2, big.ExitCode);
        Assert.Contains("--eval-size must be between 1 and 10000", big.Error);
    }
}
