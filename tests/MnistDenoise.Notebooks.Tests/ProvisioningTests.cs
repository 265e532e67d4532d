namespace MnistDenoise.Notebooks.Tests;

/// <summary>
/// The README's test command provisions what the tests need (tests/Directory.Build.targets runs .ci/setup-tests.sh before
/// VSTest): checked by running that target alone, as `dotnet test` does before the tests.
/// </summary>
public sealed class ProvisioningTests
{
    private static ProcessResult RunTarget(Dictionary<string, string> environment) =>
        ProcessRun.Start("dotnet",
            ["msbuild", Path.Combine("tests", "MnistDenoise.Notebooks.Tests", "MnistDenoise.Notebooks.Tests.csproj"),
             "-t:ProvisionTestPrerequisites", "-nologo", "-p:Configuration=Release", "-nodeReuse:false"],
            Repository.Root, TimeSpan.FromMinutes(10), environment);

    [Fact]
    public void The_test_projects_run_the_setup_script_before_their_tests_and_it_finds_everything_here()
    {
        if (OperatingSystem.IsWindows()) return; // the target is skipped there (no bash)
        var result = RunTarget(new() { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["MNIST_DENOISE_SKIP_SETUP"] = "" });
        Assert.True(result.ExitCode == 0, result.ToString());
        // The tests of this run already needed Jupyter and Fashion-MNIST, so the script finds them (or has just installed them).
        Assert.Matches("setup-tests: (Jupyter, the .NET kernel and Fashion-MNIST are present|done)", result.Output);
    }

    [Fact]
    public void Setting_MNIST_DENOISE_SKIP_SETUP_skips_it()
    {
        var result = RunTarget(new() { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["MNIST_DENOISE_SKIP_SETUP"] = "1" });
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("setup-tests:", result.Output);
    }
}
