using System.Text.Json;
using System.Text.Json.Nodes;

namespace MnistDenoise.Notebooks.Tests;

/// <summary>notebook-runner on small notebooks made by the tests (no packages, so each run takes a couple of seconds).</summary>
public sealed class RunnerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Write(string name, params (string Kind, string Source, string[]? Tags)[] cells)
    {
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode)(c.Kind == "markdown"
                ? new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = c.Source }
                : new JsonObject
                {
                    ["cell_type"] = "code",
                    ["execution_count"] = null,
                    ["outputs"] = new JsonArray(),
                    ["source"] = c.Source,
                    ["metadata"] = new JsonObject
                    {
                        ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
                        ["tags"] = new JsonArray((c.Tags ?? []).Select(t => (JsonNode)t!).ToArray()),
                    },
                })).ToArray()),
            ["metadata"] = new JsonObject { ["kernelspec"] = new JsonObject { ["name"] = ".net-csharp", ["display_name"] = ".NET (C#)", ["language"] = "C#" } },
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        var path = Path.Combine(_temp.Path, name);
        File.WriteAllText(path, notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    private static (string, string, string[]?) Code(string source, params string[] tags) => ("code", source, tags);

    private static (string, string, string[]?) Markdown(string source) => ("markdown", source, null);

    private string Output => Path.Combine(_temp.Path, "out");

    [Fact]
    public void A_failing_cell_stops_the_run_with_exit_code_1_naming_the_notebook_the_cell_and_the_error()
    {
        var notebook = Write("failing.ipynb",
            Markdown("# A notebook that fails"),
            Code("var answer = 42;"),
            Code("throw new InvalidOperationException(\"boom in the third cell\");"),
            Code("Console.WriteLine(\"never runs\");"));

        var result = ProcessRun.Runner(["run", notebook, "-o", Output]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("failing.ipynb, cell 3 failed: InvalidOperationException: boom in the third cell", result.Error);
        var executed = ExecutedNotebook.Read(Path.Combine(Output, "failing.ipynb"));
        var error = Assert.Single(executed.Errors);
        Assert.Equal("InvalidOperationException", (string?)error["ename"]);
        Assert.Null(executed.CodeCells[2]["execution_count"]?.GetValue<int?>());
        Assert.DoesNotContain("never runs", executed.AllOutputText);
    }

    [Fact]
    public void A_compile_error_is_reported_with_the_compilers_message()
    {
        var notebook = Write("typo.ipynb", Code("var x = 1;"), Code("var y = undefinedName + 1;"));

        var result = ProcessRun.Runner(["run", notebook, "-o", Output]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("typo.ipynb, cell 2 failed: CompilationError: (1,9): error CS0103: The name 'undefinedName' does not exist", result.Error);
    }

    [Fact]
    public void Parameters_are_injected_after_the_parameters_cell_typed_like_the_originals()
    {
        var notebook = Write("parameters.ipynb",
            Markdown("# Parameters"),
            Code("int epochs = 2;          // comment\ndouble rate = 0.001;\nstring init = \"Default\";\nint? size = null;\nbool quick = false;", "parameters"),
            Code("Console.WriteLine($\"{epochs}|{rate}|{init}|{size}|{quick}|{rate.GetType().Name}\");"));

        var result = ProcessRun.Runner(["run", notebook, "-o", Output, "-p", "epochs=1", "-p", "rate=1", "-p", "init=Tutorial \"quoted\"", "-p", "size=300", "-p", "quick=true"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var executed = ExecutedNotebook.Read(Path.Combine(Output, "parameters.ipynb"));
        Assert.Contains("1|1|Tutorial \"quoted\"|300|True|Double", executed.AllOutputText);
        var injected = executed.CodeCells[1];
        Assert.Equal(["injected-parameters"], ExecutedNotebook.Tags(injected));
        Assert.Contains("double rate = 1.0;", ExecutedNotebook.Text(injected["source"]));

        // Running the executed copy again replaces the injected cell instead of adding a second one.
        var again = ProcessRun.Runner(["run", Path.Combine(Output, "parameters.ipynb"), "-o", Path.Combine(_temp.Path, "again"), "-p", "epochs=3"]);
        Assert.True(again.ExitCode == 0, again.ToString());
        var rerun = ExecutedNotebook.Read(Path.Combine(_temp.Path, "again", "parameters.ipynb"));
        Assert.Single(rerun.CodeCells, c => ExecutedNotebook.Tags(c).Contains("injected-parameters"));
        Assert.Contains("3|0.001|Default||False|Double", rerun.AllOutputText);
    }

    [Fact]
    public void An_unknown_parameter_is_a_usage_error_that_names_it_and_lists_the_declared_ones()
    {
        var notebook = Write("known.ipynb", Code("int epochs = 2;", "parameters"));

        var result = ProcessRun.Runner(["run", notebook, "-o", Output, "-p", "epochz=1"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unknown parameter 'epochz'", result.Error);
        Assert.Contains("known.ipynb: epochs", result.Error);
        Assert.False(File.Exists(Path.Combine(Output, "known.ipynb")), "nothing runs when a parameter is unknown");
    }

    [Fact]
    public void A_value_that_does_not_fit_the_parameters_type_is_a_usage_error()
    {
        var notebook = Write("typed.ipynb", Code("int epochs = 2;", "parameters"));

        var result = ProcessRun.Runner(["run", notebook, "-o", Output, "-p", "epochs=two"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Parameter 'epochs' is int: 'two' is not a whole number", result.Error);
    }
}

/// <summary>Ctrl+C during training: the kernel's cancellation token stops the cell, which saves a resumable checkpoint, and the run ends with exit code 130.</summary>
public sealed class InterruptTests
{
    private const int SigInt = 2;

#pragma warning disable SYSLIB1054 // a plain DllImport keeps the test project free of unsafe code
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    [Fact]
    public async Task Ctrl_C_during_training_cancels_the_cell_and_ends_the_run_with_exit_code_130()
    {
        Repository.RequireReleaseLibraries();
        using var temp = new TempFolder();
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Repository.RunnerDll, "run", "notebooks/04-training.ipynb", "-o", temp.Path,
                                  "-p", "trainSize=8000", "-p", "batchSize=20", "-p", $"checkpoint={Path.Combine(temp.Path, "a.weights")}" })
            start.ArgumentList.Add(a);
        using var runner = System.Diagnostics.Process.Start(start)!;
        var error = runner.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        string? line;
        while ((line = runner.StandardOutput.ReadLine()) is not null && !line.Contains("Trianing loss")) output.AppendLine(line);
        Assert.True(line is not null, "training never printed a loss line:\n" + output);

        Assert.Equal(0, Kill(runner.Id, SigInt));   // what Ctrl+C sends
        var rest = runner.StandardOutput.ReadToEndAsync();
        Assert.True(runner.WaitForExit(TimeSpan.FromMinutes(2)), "the runner did not stop after Ctrl+C");

        var (restText, errorText) = (await rest, await error);
        Assert.True(runner.ExitCode == 130, $"exit {runner.ExitCode}\n{output}{restText}\n{errorText}");
        Assert.Contains("04-training.ipynb: interrupted (Ctrl+C) during cell", errorText);
        var executed = ExecutedNotebook.Read(Path.Combine(temp.Path, "04-training.ipynb"));
        var training = executed.CodeCells.Single(c => ExecutedNotebook.Text(c["source"]).Contains("trainer.Train("));
        Assert.NotNull(training["execution_count"]);
        Assert.All(executed.CodeCells.SkipWhile(c => c != training).Skip(1), c => Assert.Empty(ExecutedNotebook.OutputsOf(c)));
        // The cell saves a resumable checkpoint from its step callback once the token is cancelled. The kernel reports the
        // cell cancelled without waiting for its code, and the runner exits then, so the file may or may not be written
        // in time here (in Jupyter or VS Code the kernel lives on and it always is); when it is, it must be resumable.
        var path = Path.Combine(temp.Path, "a.weights");
        if (File.Exists(path))
        {
            var saved = MnistDenoise.Training.Checkpoint.Inspect(path);
            Assert.True(saved.HasTrainingState, "the interrupted training cell should save a resumable checkpoint");
            Assert.InRange(saved.CompletedSteps, 1, 8000 / 20 * 2 - 1);
        }
    }
}
