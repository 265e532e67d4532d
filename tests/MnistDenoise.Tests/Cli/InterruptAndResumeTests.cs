using System.Diagnostics;
using System.Text.Json;
using MnistDenoise.Model;
using MnistDenoise.Training;

namespace MnistDenoise.Tests.Cli;

/// <summary>Ctrl+C on the real command line, then --resume, against an uninterrupted run of the same seed.</summary>
public class InterruptAndResumeTests
{
    private const int SigInt = 2;

#pragma warning disable SYSLIB1054 // a plain DllImport keeps the test project free of unsafe code
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    private static readonly string[] Tiny = ["--train-size", "600", "--batch-size", "20", "--epochs", "1", "--eval-size", "50", "--threads", "2"];

    [Fact]
    public async Task Ctrl_C_saves_a_checkpoint_that_resume_continues_to_the_same_weights_as_an_uninterrupted_run()
    {
        if (OperatingSystem.IsWindows()) return; // SIGINT is a POSIX signal
        using var temp = new TestPaths.TempDirectory();
        string interrupted = Path.Combine(temp.Path, "interrupted"), straight = Path.Combine(temp.Path, "straight");

        // 1. Interrupt after the first progress line (stdout is redirected, so the CLI prints plain lines).
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments = [Path.Combine(AppContext.BaseDirectory, "mnist-denoise.dll"), "train", .. Tiny, "-o", interrupted];
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using (var cli = Process.Start(start)!)
        {
            var error = cli.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            var seen = new System.Text.StringBuilder();
            string? line;
            while ((line = cli.StandardOutput.ReadLine()) is not null && !line.Contains("Trianing loss")) seen.AppendLine($"{clock.Elapsed.TotalSeconds:0.0} {line}");
            if (line is null) Assert.Fail("training never printed a loss line: " + seen + await error); // awaiting stderr waits for the exit
            Assert.True(Kill(cli.Id, SigInt) == 0, $"kill({cli.Id}, SIGINT) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}, exited {cli.HasExited} at {clock.Elapsed.TotalSeconds:0.0} s");
            var rest = await cli.StandardOutput.ReadToEndAsync();
            Assert.True(cli.WaitForExit(TimeSpan.FromMinutes(2)), "the command line did not stop after Ctrl+C");
            Assert.True(cli.ExitCode == 130, $"exit {cli.ExitCode}\n{rest}\n{await error}");
            Assert.Contains("Continue with: mnist-denoise train --resume", rest);
        }
        var checkpoint = Path.Combine(interrupted, Checkpoint.DefaultFileName);
        var stopped = Checkpoint.Inspect(checkpoint);
        Assert.InRange(stopped.CompletedSteps, 1, 29);
        // No temporaries; the output folder's lock file stays (see OutputFolder).
        Assert.Equal([".mnist-denoise.lock", Checkpoint.DefaultFileName], Directory.GetFiles(interrupted).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // 2. Resume without repeating the options: they come from the checkpoint.
        var resumed = CliRunner.Run("train", "--resume", checkpoint, "--eval-size", "50", "-o", interrupted);
        Assert.True(resumed.ExitCode == 0, resumed.Output + resumed.Error);
        Assert.Contains($"({stopped.CompletedSteps} steps done)", resumed.Output);

        // 3. The same run without interruption.
        var full = CliRunner.Run(["train", .. Tiny, "-o", straight]);
        Assert.True(full.ExitCode == 0, full.Output + full.Error);

        using var a = new ConvAutoencoder(seed: 1);
        using var b = new ConvAutoencoder(seed: 2);
        Checkpoint.Load(a, checkpoint);
        Checkpoint.Load(b, Path.Combine(straight, Checkpoint.DefaultFileName));
        var other = b.state_dict();
        foreach (var (name, tensor) in a.state_dict())
            Assert.True(tensor.eq(other[name]).all().item<bool>(), $"'{name}' differs between the resumed and the uninterrupted run");
        JsonElement Metrics(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json"))).RootElement;
        Assert.Equal(30, Metrics(interrupted).GetProperty("steps").GetInt32());
        Assert.Equal(Metrics(straight).GetProperty("epoch_losses").ToString(), Metrics(interrupted).GetProperty("epoch_losses").ToString());
        Assert.Equal(Metrics(straight).GetProperty("test_psnr_reconstructed").GetDouble(), Metrics(interrupted).GetProperty("test_psnr_reconstructed").GetDouble());
    }

    [Fact]
    public void Resuming_with_another_batch_size_says_what_differs()
    {
        using var temp = new TestPaths.TempDirectory();
        var first = CliRunner.Run("train", "--train-size", "200", "--batch-size", "50", "--epochs", "1", "--eval-size", "10", "-o", temp.Path);
        Assert.True(first.ExitCode == 0, first.Output + first.Error);
        var checkpoint = Path.Combine(temp.Path, Checkpoint.DefaultFileName);

        var more = CliRunner.Run("train", "--resume", checkpoint, "--batch-size", "40", "--epochs", "2", "-o", temp.Path);
        Assert.Equal(1, more.ExitCode);
        Assert.Contains("batch size was 50, now 40", more.Error);

        var done = CliRunner.Run("train", "--resume", checkpoint, "-o", temp.Path);
        Assert.Equal(2, done.ExitCode);
        Assert.Contains("pass a larger --epochs", done.Error);
    }

    [Theory]
    [InlineData("--data", "data-file")]
    [InlineData("--output", "data-file")]
    [InlineData("--resume", "no-such.weights")]
    public void Bad_paths_exit_with_2_before_any_work(string option, string what)
    {
        using var temp = new TestPaths.TempDirectory();
        var file = Path.Combine(temp.Path, "data-file");
        File.WriteAllText(file, "x");
        var r = CliRunner.Run("train", option, Path.Combine(temp.Path, what));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(option, r.Error);
        Assert.DoesNotContain("Reading", r.Output);
    }

    [Fact]
    public void Resuming_from_a_weights_only_file_exits_with_2_and_says_why()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "w.weights");
        using (var model = new ConvAutoencoder(seed: 1)) Checkpoint.Save(model, path);
        var r = CliRunner.Run("train", "--resume", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("holds weights only", r.Error);
    }
}
