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
            ["run", "notebooks/02-reshape.ipynb", "notebooks/03-model.ipynb", "notebooks/04-training.ipynb", "-o", temp.Path, "--repeat", "4",
             "-p", "trainSize=400", "-p", "epochs=1", "-p", "batchSize=100", "-p", $"checkpoint={Path.Combine(temp.Path, "a.weights")}"],
            TimeSpan.FromMinutes(8));
        Assert.True(result.ExitCode == 0, result.ToString());

        var passes = Regex.Matches(result.Output, @"pass (?<pass>\d): (?<mib>\d+) MiB")
            .Select(m => (Pass: int.Parse(m.Groups["pass"].Value, CultureInfo.InvariantCulture), MiB: int.Parse(m.Groups["mib"].Value, CultureInfo.InvariantCulture)))
            .Chunk(4).ToArray();
        Assert.Equal(3, passes.Length);
        foreach (var notebook in passes)
        {
            // The first pass loads the libraries and data; later passes reuse them. glibc keeps freed memory (the
            // training allocator settings), so the heap still grows over the first passes until its free blocks fit
            // every size the notebook asks for (measured: 1636, 1600, 1760, 1769, 1771, 1778 MiB over six passes of 04).
            // After that a leak shows: a leaked data set adds ~220 MiB per pass, a leaked model and optimizer several
            // MiB each time. 50 MiB is the performance issue's bound for repeated trainings in one process.
            Assert.True(notebook[3].MiB - notebook[2].MiB < 50,
                $"memory grew from {notebook[2].MiB} MiB to {notebook[3].MiB} MiB between the third and fourth run\n{result.Output}");
        }
    }
}
