using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MnistDenoise.Notebooks.Tests;

/// <summary>The notebooks as committed: executed, free of errors and of anyone's absolute paths, with the right metadata.</summary>
public sealed partial class CommittedNotebookTests
{
    public static TheoryData<string> Notebooks => new(Repository.Series);

    private static ExecutedNotebook Committed(string name) => ExecutedNotebook.Read(Path.Combine(Repository.Notebooks, name));

    [Fact]
    public void The_notebooks_folder_holds_exactly_the_series()
    {
        var found = Directory.EnumerateFiles(Repository.Notebooks, "*.ipynb").Select(p => Path.GetFileName(p)).Order().ToArray();
        Assert.Equal(Repository.Series, found);
    }

    [Theory, MemberData(nameof(Notebooks))]
    public void Has_no_error_output(string name)
    {
        var notebook = Committed(name);
        Assert.Empty(notebook.Errors);
        Assert.DoesNotContain(notebook.Outputs, o => (string?)o["name"] == "stderr");
    }

    [GeneratedRegex(@"/root/|/home/|/work/|/tmp/|/Users/|(?<![A-Za-z])[A-Za-z]:[\\/]")]
    private static partial Regex AbsolutePath();

    [Theory, MemberData(nameof(Notebooks))]
    public void Contains_no_absolute_path(string name)
    {
        var notebook = Committed(name);
        // Sources and every output except picture data (base64 could spell anything).
        var texts = notebook.Cells.Select(c => ExecutedNotebook.Text(c["source"]))
            .Concat(notebook.Outputs.SelectMany(o => new[] { ExecutedNotebook.Text(o["text"]), ExecutedNotebook.Text(o["evalue"]) }
                .Concat(o["data"] is JsonObject data ? data.Where(kv => kv.Key != "image/png").Select(kv => ExecutedNotebook.Text(kv.Value)) : [])));
        foreach (var text in texts)
        {
            var match = AbsolutePath().Match(text);
            Assert.False(match.Success, $"{name} contains an absolute path near: …{text.Substring(Math.Max(0, match.Index - 60), Math.Min(120, text.Length - Math.Max(0, match.Index - 60)))}…");
        }
    }

    [Theory, MemberData(nameof(Notebooks))]
    public void Is_committed_executed_for_the_dotnet_csharp_kernel(string name)
    {
        var notebook = Committed(name);
        Assert.Equal(".net-csharp", (string?)notebook.Json["metadata"]?["kernelspec"]?["name"]);
        Assert.Equal("C#", (string?)notebook.Json["metadata"]?["language_info"]?["name"]);
        Assert.All(notebook.CodeCells, c => Assert.NotNull(c["execution_count"]));
        Assert.All(notebook.CodeCells, c => Assert.Equal("csharp", (string?)c["metadata"]?["polyglot_notebook"]?["kernelName"]));
        Assert.DoesNotContain(notebook.CodeCells, c => ExecutedNotebook.Tags(c).Contains("injected-parameters"));
        Assert.NotEmpty(notebook.Pngs);   // every notebook shows at least one picture that renders without running
    }

    [Theory, MemberData(nameof(Notebooks))]
    public void Starts_by_building_the_library_then_the_package_references_and_the_shared_setup(string name)
    {
        var sources = Committed(name).CodeCells.Select(c => ExecutedNotebook.Text(c["source"])).ToList();
        var references = sources.FindIndex(s => s.Contains("#r \"nuget: TorchSharp-cpu"));
        Assert.InRange(references, 0, 1);   // after the parameters cell, if there is one
        Assert.Contains("#r \"../lib/MnistDenoise/bin/Release/net10.0/MnistDenoise.dll\"", sources[references]);
        // Built (or found up to date) by the same cell, before its #r of the DLL resolves: a fresh clone runs from the top.
        Assert.StartsWith("#!import build.dib\n", sources[references]);
        Assert.Equal("#!import setup.dib", sources[references + 1].Trim());
    }

    [Theory]
    [InlineData("04-training.ipynb")]
    [InlineData("05-reconstruction.ipynb")]
    public void Notebooks_that_train_or_corrupt_images_start_with_one_parameters_cell_of_the_tutorials_knobs(string name)
    {
        var cells = Committed(name).CodeCells;
        Assert.Single(cells, c => ExecutedNotebook.Tags(c).Contains("parameters"));
        Assert.Contains("parameters", ExecutedNotebook.Tags(cells[0]));
        var source = ExecutedNotebook.Text(cells[0]["source"]);
        foreach (var knob in new[] { "int epochs", "int batchSize", "double learningRate", "double noiseFactor", "string init", "int? trainSize", "int seed" })
            Assert.Contains(knob + " =", source);
    }

    [Fact]
    public void Mosaic_and_beyond_starts_with_a_parameters_cell_of_corruptions_dataset_and_run_size()
    {
        var cells = Committed("06-mosaic-and-beyond.ipynb").CodeCells;
        Assert.Single(cells, c => ExecutedNotebook.Tags(c).Contains("parameters"));
        Assert.Contains("parameters", ExecutedNotebook.Tags(cells[0]));
        var source = ExecutedNotebook.Text(cells[0]["source"]);
        foreach (var knob in new[] { "string corruptions", "string dataset", "int epochs", "int? trainSize", "int batchSize", "int? evalSize", "int seed" })
            Assert.Contains(knob + " =", source);
        Assert.Contains("mosaic:4", source);
    }

    [Fact]
    public void The_model_notebook_which_corrupts_images_starts_with_a_parameters_cell_for_its_knobs()
    {
        var cells = Committed("03-model.ipynb").CodeCells;
        Assert.Single(cells, c => ExecutedNotebook.Tags(c).Contains("parameters"));
        Assert.Contains("parameters", ExecutedNotebook.Tags(cells[0]));
        var source = ExecutedNotebook.Text(cells[0]["source"]);
        foreach (var knob in new[] { "double noiseFactor", "string init", "int seed", "double learningRate" })
            Assert.Contains(knob + " =", source);
    }
}
