using System.Diagnostics;
using MnistDenoise.Bench;
using MnistDenoise.Runtime;

namespace MnistDenoise.Tests.Cli;

/// <summary>The parts of <c>bench</c> that are not timings (the bench itself is a command of its own, not a test).</summary>
public class BenchTests
{
    [Fact]
    public void Flop_counts_match_the_graphs_shapes()
    {
        var (literal, subPixel, fast) = GraphFlops.ForwardFlopsPerImage();
        // Issue 10: 116.7 M multiply-adds per image for the literal graph; conv5 and conv6 as 3×3 convolutions of the
        // small map with 4·C_out channels leave 58.9 M, plus 0.55 M for the output layer reading conv6's four phases
        // (14·14·4·(4·64)·9 = 1,806,336 instead of 28·28·64·25 = 1,254,400).
        Assert.Equal(2 * 116_659_200.0, literal);
        Assert.Equal(2 * 58_856_448.0, subPixel); // bench/torch_step.py: output layer on the shuffled map
        Assert.Equal(2 * (58_856_448.0 - 1_254_400 + 1_806_336), fast);
    }

    [Fact]
    public void Wait_settings_cover_libgomps_default_and_the_librarys_and_one_thread()
    {
        var settings = BusyNeighbour.WaitSettings(threads: 2);
        Assert.Single(settings, w => w.IsLibraryDefault && w.Threads == 2);
        Assert.Contains(settings, w => w.SpinCount == "300000" && w.WaitPolicy is null && w.Threads == 2);
        Assert.Contains(settings, w => w.WaitPolicy == "passive" && w.SpinCount is null);
        Assert.Contains(settings, w => w.Threads == 1);
        Assert.Equal(settings.Count, settings.Select(w => (w.WaitPolicy, w.SpinCount, w.Threads)).Distinct().Count());
        Assert.All(BusyNeighbour.WaitSettings(threads: 1), w => Assert.Equal(1, w.Threads));
        Assert.Contains(OpenMpSettings.DefaultSpinCount, settings.Single(w => w.IsLibraryDefault).Label);
    }

    [Fact]
    public void The_busy_neighbour_stops_when_its_parent_closes_stdin()
    {
        // A bench that dies must never leave a core spinning on a shared machine.
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mnist-denoise.dll"), "bench", "--worker", "spin" }) psi.ArgumentList.Add(a);
        using var spinner = Process.Start(psi)!;
        try
        {
            Assert.Equal("spinning", spinner.StandardOutput.ReadLine());
            Assert.False(spinner.WaitForExit(500)); // it spins
            spinner.StandardInput.Close();
            Assert.True(spinner.WaitForExit(30_000), "the spinner kept running after its stdin closed");
            Assert.Equal(0, spinner.ExitCode);
        }
        finally
        {
            if (!spinner.HasExited) spinner.Kill();
        }
    }
}
