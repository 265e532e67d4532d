namespace MnistDenoise.Notebooks.Tests;

/// <summary>`notebook-runner export`: a notebook as a .NET 10 file-based app that `dotnet run` builds and runs.</summary>
public sealed class ExportTests
{
    [Fact]
    public void The_model_notebook_exports_to_a_file_based_app_that_runs()
    {
        Repository.RequireReleaseLibraries();
        using var temp = new TempFolder();
        var app = Path.Combine(temp.Path, "03-model.cs");

        var export = ProcessRun.Runner(["export", "notebooks/03-model.ipynb", "-o", app]);

        Assert.True(export.ExitCode == 0, export.ToString());
        var source = File.ReadAllText(app);
        Assert.Contains("#:package TorchSharp-cpu@0.107.0", source);
        Assert.Contains("MnistDenoise/MnistDenoise.csproj", source);
        Assert.Contains("#:project ", source);
        Assert.DoesNotContain("#r \"", source);
        Assert.DoesNotContain("#!import", source.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));

        // Run from the notebooks' folder, as the notebook runs: relative paths (data, out/) resolve the same way. The build
        // goes into the temporary folder: by default `dotnet run` keeps it under ~/.local/share/dotnet/runfile, keyed by the
        // file's path, which is new in every test run, and each copy holds libtorch (1.2-1.4 GB; 22 runs filled 28 GB).
        var run = ProcessRun.Start("dotnet", ["run", "-c", "Release", "--artifacts-path", Path.Combine(temp.Path, "artifacts"), app],
            Repository.Notebooks, TimeSpan.FromMinutes(8),
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Trainable parameters: 336,321", run.Output);
        Assert.Contains("same as ConvAutoencoder.Graph: True", run.Output);
        Assert.Contains("conv1        [5, 5, 1, 64]", run.Output);     // display(table) prints the table as text
        Assert.Matches(@"\[PNG 862×260\] Untrained network.*\(saved to out/03-model-\d+\.png\)", run.Output);
    }

    [Fact]
    public void Exporting_rewrites_references_imports_and_the_kernels_cancellation_token()
    {
        using var temp = new TempFolder();
        var app = Path.Combine(temp.Path, "04-training.cs");

        var export = ProcessRun.Runner(["export", "notebooks/04-training.ipynb", "-o", app]);

        Assert.True(export.ExitCode == 0, export.ToString());
        var source = File.ReadAllText(app);
        Assert.Contains("#:package Plotly.NET.Interactive@6.0.0", source);
        Assert.Contains("NotebookSetup.Apply();", source);                        // setup.dib, inlined
        Assert.DoesNotContain("Building the library", source);                    // build.dib is not: #:project builds it
        Assert.Contains("NotebookApp.CancellationToken", source);                 // Ctrl+C instead of the kernel's token
        Assert.DoesNotContain("KernelInvocationContext.Current.CancellationToken", source);
        Assert.Contains("int epochs = 2;", source);                               // the parameters cell, with its defaults
        var firstCode = source.IndexOf("int epochs", StringComparison.Ordinal);
        Assert.True(source.LastIndexOf("\nusing ", StringComparison.Ordinal) < firstCode, "using directives go before any statement");
    }
}
