namespace MnistDenoise.Notebooks.Tests;

/// <summary>
/// A real client: Jupyter's nbconvert executes notebook 01 with the .NET kernel from the repository's tool manifest,
/// through the repository-local kernelspec (notebooks/jupyter, found through JUPYTER_PATH).
/// </summary>
public sealed class JupyterTests
{
    private const string Setup = "run .ci/setup-jupyter.sh (installs Debian's jupyter-nbconvert, python3-nbclient, jupyter-client, " +
                                 "python3-ipykernel and restores the dotnet-interactive tool), then run the tests again";

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["JUPYTER_PATH"] = Path.Combine(Repository.Root, "notebooks", "jupyter"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    private static ProcessResult Try(string file, string[] arguments, TimeSpan timeout)
    {
        try
        {
            return ProcessRun.Start(file, arguments, Repository.Root, timeout, Environment);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"'{file}' could not be started ({e.Message}): {Setup}.");
            throw;
        }
    }

    [Fact]
    public void The_repository_local_kernelspec_is_the_one_jupyter_finds()
    {
        var list = Try("jupyter", ["kernelspec", "list"], TimeSpan.FromMinutes(1));
        Assert.True(list.ExitCode == 0, $"`jupyter kernelspec list` failed: {Setup}.\n{list}");
        var line = list.Output.Split('\n').FirstOrDefault(l => l.TrimStart().StartsWith(".net-csharp ", StringComparison.Ordinal));
        Assert.True(line is not null, $"Jupyter does not see the .net-csharp kernel: {Setup}.\n{list}");
        Assert.Contains(Path.Combine("notebooks", "jupyter", "kernels", ".net-csharp"), line);
        var spec = File.ReadAllText(Path.Combine(Repository.Notebooks, "jupyter", "kernels", ".net-csharp", "kernel.json"));
        Assert.Contains("\"--http-local-only\"", spec);
    }

    [Fact]
    public void Nbconvert_executes_the_data_exploration_notebook_on_a_clean_copy_without_any_build_output()
    {
        var nbconvert = Try("jupyter", ["nbconvert", "--version"], TimeSpan.FromMinutes(1));
        Assert.True(nbconvert.ExitCode == 0, $"jupyter nbconvert is missing: {Setup}.\n{nbconvert}");
        var kernel = Try("dotnet", ["tool", "run", "dotnet-interactive", "--", "--version"], TimeSpan.FromMinutes(2));
        Assert.True(kernel.ExitCode == 0, $"The dotnet-interactive kernel (.config/dotnet-tools.json) is not restored: {Setup}.\n{kernel}");

        // A fresh clone: the repository's files without any bin/ or obj/ (nor .git, out/, test results).
        using var clone = new TempFolder();
        CopyWithoutBuildOutputs(Repository.Root, clone.Path);
        Assert.DoesNotContain(Directory.EnumerateDirectories(clone.Path, "*", SearchOption.AllDirectories), d => Path.GetFileName(d) is "bin" or "obj");

        using var temp = new TempFolder();
        var environment = new Dictionary<string, string>(Environment) { ["JUPYTER_PATH"] = Path.Combine(clone.Path, "notebooks", "jupyter") };
        var result = ProcessRun.Start("jupyter",
            ["nbconvert", "--to", "notebook", "--execute", Path.Combine("notebooks", "01-data-exploration.ipynb"),
             "--output-dir", temp.Path, "--output", "01-executed.ipynb",
             "--ExecutePreprocessor.kernel_name=.net-csharp", "--ExecutePreprocessor.timeout=900"],
            clone.Path, TimeSpan.FromMinutes(20), environment);

        Assert.True(result.ExitCode == 0, $"nbconvert failed ({Setup} if the kernel is missing).\n{result}");
        var executed = ExecutedNotebook.Read(Path.Combine(temp.Path, "01-executed.ipynb"));
        Assert.Empty(executed.Errors);
        Assert.Contains("Building the library", executed.AllOutputText);   // the first cell built it, visibly
        Assert.Contains("Library ready", executed.AllOutputText);
        Assert.True(File.Exists(Path.Combine(clone.Path, "lib", "MnistDenoise", "bin", "Release", "net10.0", "MnistDenoise.dll")));
        Assert.True(executed.Pngs.Count >= 2, "the kernel should return image 20 and the digit grid as image/png");
        Assert.Contains("mnist.Train.Image(20): shape (784,)", executed.AllOutputText);
        Assert.Contains("55,000", executed.AllOutputText);
    }

    private static void CopyWithoutBuildOutputs(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            if (Path.GetFileName(directory) is "bin" or "obj" or ".git" or "out" or "TestResults" or "artifacts") continue;
            var target = Path.Combine(to, Path.GetFileName(directory));
            Directory.CreateDirectory(target);
            CopyWithoutBuildOutputs(directory, target);
        }
        foreach (var file in Directory.EnumerateFiles(from))
        {
            if (Path.GetFileName(file) != ".git") // a worktree's .git is a file
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
