using System.Text.Json;
using System.Text.RegularExpressions;

namespace MnistDenoise.Notebooks.Tests;

/// <summary>The repository's kernelspec stays on localhost, and running the notebooks again in one kernel starts afresh.</summary>
public sealed class KernelAndRerunTests
{
    [Fact]
    public void The_repositorys_kernelspec_keeps_the_kernels_http_server_on_localhost()
    {
        var specs = Directory.GetFiles(Path.Combine(Repository.Root, "notebooks", "jupyter", "kernels"), "kernel.json", SearchOption.AllDirectories);
        Assert.NotEmpty(specs);
        foreach (var spec in specs)
        {
            var argv = JsonDocument.Parse(File.ReadAllText(spec)).RootElement.GetProperty("argv").EnumerateArray().Select(a => a.GetString()).ToArray();
            // dotnet-interactive's HTTP server listens on every interface unless told otherwise.
            Assert.Contains("--http-local-only", argv);
            Assert.Contains("jupyter", argv);
        }
    }

    [Fact]
    public void Running_the_training_notebook_twice_in_one_kernel_gives_the_same_losses_and_score_both_times()
    {
        Repository.RequireReleaseLibraries();
        using var temp = new TempFolder();
        var result = ProcessRun.Runner(
            ["run", "notebooks/04-training.ipynb", "-o", temp.Path, "--repeat", "2",
             "-p", "trainSize=300", "-p", "epochs=1", "-p", "batchSize=50", "-p", $"checkpoint={Path.Combine(temp.Path, "a.weights")}"],
            TimeSpan.FromMinutes(5));
        Assert.True(result.ExitCode == 0, result.ToString());

        // Both passes print every step's loss (6 steps) and the score; stale state (a reused trainer or data view,
        // a model carried over) would give the second pass other batches and other numbers.
        var losses = Regex.Matches(result.Output, @"Trianing loss: (\d+\.\d+)\s+step (\d+)/6").Select(m => m.Groups[1].Value + "@" + m.Groups[2].Value).ToArray();
        var scores = Regex.Matches(result.Output, @"test images: noisy input .* dB → reconstructed .* dB \(test loss .*\)").Select(m => m.Value).ToArray();
        Assert.True(losses.Length == 12 && scores.Length == 2, result.ToString());
        Assert.Equal(losses[..6], losses[6..]);
        Assert.Equal(scores[0], scores[1]);
    }
}
