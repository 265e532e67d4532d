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
            // training allocator settings), so the heap still grows irregularly over the first passes while its free
            // blocks come to fit every size the notebook asks for: 04 measured 1636, 1600, 1760, 1769, 1771, 1778 MiB
            // in one run and 1118, 1253, 1267, 1331 MiB in another. A leak grows memory on every pass (a leaked data
            // set by ~220 MiB), so it shows as no pass after the second staying under the performance issue's 50 MB
            // bound for repeated trainings; allocator settling shows as at least one pass that does.
            var growth = Enumerable.Range(2, notebook.Length - 2).Select(i => notebook[i].MiB - notebook[i - 1].MiB).ToArray();
            Assert.True(growth.Min() < 50,
                $"memory grew on every pass after the second ({string.Join(", ", growth)} MiB): a leak\n{result.Output}");
        }
    }
}
