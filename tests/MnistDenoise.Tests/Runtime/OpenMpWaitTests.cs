using System.Text.RegularExpressions;
using MnistDenoise.Runtime;
using MnistDenoise.Tests.Cli;

namespace MnistDenoise.Tests.Runtime;

/// <summary>
/// The spin-wait default must reach libgomp itself, which reads it once when libtorch loads: each case starts the
/// command line as a child process with <c>OMP_DISPLAY_ENV=verbose</c>, which makes libgomp print the settings it
/// took (to stderr) as it loads.
/// </summary>
public class OpenMpWaitTests
{
    private static string SpinCountLibgompSaw(Dictionary<string, string?> environment)
    {
        environment["OMP_DISPLAY_ENV"] = "verbose";
        foreach (var name in OpenMpWait.UserVariables) environment.TryAdd(name, null); // nothing inherited from the test runner
        var r = CliRunner.Run(environment, "--help");
        Assert.Equal(0, r.ExitCode);
        var match = Regex.Match(r.Error, @"GOMP_SPINCOUNT = '(\d+)'");
        Assert.True(match.Success, "libgomp printed no GOMP_SPINCOUNT line; stderr was: " + r.Error);
        return match.Groups[1].Value;
    }

    [Fact]
    public void A_child_process_gets_the_library_default_spin_count()
    {
        if (!OperatingSystem.IsLinux()) return; // libgomp is libtorch's OpenMP runtime on Linux only
        Assert.Equal(OpenMpWait.DefaultSpinCount, SpinCountLibgompSaw([]));
        Assert.NotEqual("300000", OpenMpWait.DefaultSpinCount); // libgomp's own default, which the busy neighbour suffers from
    }

    [Fact]
    public void The_users_own_spin_count_is_kept()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal("12345", SpinCountLibgompSaw(new() { ["GOMP_SPINCOUNT"] = "12345" }));
    }

    [Fact]
    public void The_users_wait_policy_is_kept_and_no_spin_count_is_added()
    {
        if (!OperatingSystem.IsLinux()) return;
        // libgomp's own spin counts for these policies: 0 for passive, 30 billion for active.
        Assert.Equal("0", SpinCountLibgompSaw(new() { ["OMP_WAIT_POLICY"] = "passive" }));
        Assert.Equal("30000000000", SpinCountLibgompSaw(new() { ["OMP_WAIT_POLICY"] = "active" }));
    }

    [Fact]
    public void This_process_reports_what_it_did()
    {
        TorchSetup.Initialize();
        Assert.NotNull(OpenMpWait.Status);
        if (!OperatingSystem.IsLinux()) return;
        // Either the default was set, or the environment running the tests chose a value; libgomp sees it either way.
        Assert.NotNull(OpenMpWait.Native("GOMP_SPINCOUNT") ?? OpenMpWait.Native("OMP_WAIT_POLICY"));
    }
}
