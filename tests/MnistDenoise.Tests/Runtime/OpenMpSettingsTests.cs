using System.Text.RegularExpressions;
using MnistDenoise.Runtime;
using MnistDenoise.Tests.Cli;

namespace MnistDenoise.Tests.Runtime;

/// <summary>
/// The OpenMP defaults must reach libgomp itself, which reads them once when libtorch loads: each case starts the
/// command line as a child process with <c>OMP_DISPLAY_ENV=verbose</c>, which makes libgomp print the settings it
/// took (to stderr) as it loads.
/// </summary>
public class OpenMpSettingsTests
{
    private static string LibgompSaw(string variable, Dictionary<string, string?> environment)
    {
        environment["OMP_DISPLAY_ENV"] = "verbose";
        foreach (var name in OpenMpSettings.WaitVariables.Append("OMP_NUM_THREADS").Append("DOTNET_PROCESSOR_COUNT"))
            environment.TryAdd(name, null); // nothing inherited from the test runner
        var r = CliRunner.Run(environment, "--help");
        Assert.Equal(0, r.ExitCode);
        var match = Regex.Match(r.Error, variable + @" = '(\d+)'");
        Assert.True(match.Success, $"libgomp printed no {variable} line; stderr was: " + r.Error);
        return match.Groups[1].Value;
    }

    [Fact]
    public void A_child_process_gets_the_library_default_spin_count()
    {
        if (!OperatingSystem.IsLinux()) return; // libgomp is libtorch's OpenMP runtime on Linux only
        Assert.Equal(OpenMpSettings.DefaultSpinCount, LibgompSaw("GOMP_SPINCOUNT", []));
        Assert.NotEqual("300000", OpenMpSettings.DefaultSpinCount); // libgomp's own default, which the busy neighbour suffers from
    }

    [Fact]
    public void The_users_own_spin_count_is_kept()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal("12345", LibgompSaw("GOMP_SPINCOUNT", new() { ["GOMP_SPINCOUNT"] = "12345" }));
    }

    [Fact]
    public void The_users_wait_policy_is_kept_and_no_spin_count_is_added()
    {
        if (!OperatingSystem.IsLinux()) return;
        // libgomp's own spin counts for these policies: 0 for passive, 30 billion for active.
        Assert.Equal("0", LibgompSaw("GOMP_SPINCOUNT", new() { ["OMP_WAIT_POLICY"] = "passive" }));
        Assert.Equal("30000000000", LibgompSaw("GOMP_SPINCOUNT", new() { ["OMP_WAIT_POLICY"] = "active" }));
    }

    [Fact]
    public void The_thread_count_follows_the_cpus_dotnet_says_are_available()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessorCount < 2) return; // needs more CPUs than the limit below
        // DOTNET_PROCESSOR_COUNT stands in for a container's CPU quota: .NET honours both in Environment.ProcessorCount,
        // libgomp neither (it counts the affinity mask, here all CPUs).
        Assert.Equal("1", LibgompSaw("OMP_NUM_THREADS", new() { ["DOTNET_PROCESSOR_COUNT"] = "1" }));
        Assert.Equal(Environment.ProcessorCount.ToString(), LibgompSaw("OMP_NUM_THREADS", []));
    }

    [Fact]
    public void The_users_own_thread_count_is_kept()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal("3", LibgompSaw("OMP_NUM_THREADS", new() { ["OMP_NUM_THREADS"] = "3", ["DOTNET_PROCESSOR_COUNT"] = "1" }));
    }

    [Fact]
    public void This_process_reports_what_it_did()
    {
        TorchSetup.Initialize();
        Assert.NotNull(OpenMpSettings.Status);
        if (!OperatingSystem.IsLinux()) return;
        // Either the defaults were set, or the environment running the tests chose values; libgomp sees them either way.
        Assert.NotNull(OpenMpSettings.Native("GOMP_SPINCOUNT") ?? OpenMpSettings.Native("OMP_WAIT_POLICY"));
        Assert.NotNull(OpenMpSettings.Native("OMP_NUM_THREADS"));
    }
}
