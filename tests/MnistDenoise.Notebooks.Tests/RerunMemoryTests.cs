using System.Globalization;
using System.Text.RegularExpressions;

namespace MnistDenoise.Notebooks.Tests;

/// <summary>Running a notebook again in the same kernel ("Run All" twice) must not keep the previous run's memory.</summary>
public sealed class RerunMemoryTests
{
    [Fact]
    public void Running_the_notebooks_three_times_in_one_kernel_keeps_memory_flat()
    {
        Repository.RequireReleaseLibraries();
        using var temp = new TempFolder();
        var result = ProcessRun.Runner(
            ["run", "notebooks/02-reshape.ipynb", "notebooks/03-model.ipynb", "notebooks/04-training.ipynb", "-o", temp.Path, "--repeat", "3",
             "-p", "trainSize=400", "-p", "epochs=1", "-p", "batchSize=100", "-p", $"checkpoint={Path.Combine(temp.Path, "a.weights")}"],
            TimeSpan.FromMinutes(8));
        Assert.True(result.ExitCode == 0, result.ToString());

        var passes = Regex.Matches(result.Output, @"pass (?<pass>\d): (?<mib>\d+) MiB")
            .Select(m => (Pass: int.Parse(m.Groups["pass"].Value, CultureInfo.InvariantCulture), MiB: int.Parse(m.Groups["mib"].Value, CultureInfo.InvariantCulture)))
            .Chunk(3).ToArray();
        Assert.Equal(3, passes.Length);
        foreach (var notebook in passes)
        {
            // The first pass loads the libraries and data; later passes reuse them. A leaked data set would add
            // ~220 MiB per pass, a leaked model and optimizer several MiB each time; 64 MiB leaves room for noise.
            Assert.True(notebook[2].MiB - notebook[1].MiB < 64,
                $"memory grew from {notebook[1].MiB} MiB to {notebook[2].MiB} MiB between the second and third run\n{result.Output}");
        }
    }
}
