using System.CommandLine;

namespace NotebookRunner;

/// <summary>Arguments of <c>run</c>.</summary>
public sealed record RunArguments(IReadOnlyList<string> Notebooks, string OutputFolder, IReadOnlyList<KeyValuePair<string, string>> Parameters, int Repeat = 1)
{
    private static readonly Argument<string[]> NotebooksArgument = new("notebooks")
    {
        Description = "The notebooks (.ipynb) to execute, in order.",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> OutputOption = new("--output", "-o")
    {
        Description = "Folder for the executed copies (same file names); it may be the notebooks' own folder.",
        Required = true,
    };

    private static readonly Option<string[]> ParameterOption = new("--parameter", "-p")
    {
        Description = "name=value: overrides a variable of the cell tagged \"parameters\" (papermill style; repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<int> RepeatOption = new("--repeat")
    {
        Description = "Run every notebook N times in the same kernel (like \"Run All\" again) and print the memory after each pass.",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>The <c>run</c> command; its action receives the parsed, checked arguments.</summary>
    public static Command Command(Func<RunArguments, Task<int>> action)
    {
        var command = new Command("run", "Execute notebooks headless, each from a fresh in-process C# kernel, top to bottom; " +
            "write the executed copies; stop at the first failing cell (exit 1).")
        {
            NotebooksArgument, OutputOption, ParameterOption, RepeatOption,
        };
        command.SetAction((parse, _) => action(From(parse)));
        return command;
    }

    private static RunArguments From(ParseResult parse)
    {
        var notebooks = parse.GetValue(NotebooksArgument)!;
        foreach (var nb in notebooks)
        {
            if (!nb.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"'{nb}' is not a .ipynb notebook.");
            if (!File.Exists(nb)) throw new UsageException($"Notebook '{nb}' does not exist.");
        }
        var repeat = parse.GetValue(RepeatOption);
        if (repeat < 1) throw new UsageException("--repeat takes a whole number, 1 or more.");
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var pair in parse.GetValue(ParameterOption) ?? [])
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new UsageException($"A parameter is written name=value; got '{pair}'.");
            parameters.Add(new(pair[..eq].Trim(), pair[(eq + 1)..]));
        }
        var duplicate = parameters.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new UsageException($"Parameter '{duplicate.Key}' is given more than once.");
        return new RunArguments(notebooks, parse.GetValue(OutputOption)!, parameters, repeat);
    }
}

/// <summary>Arguments of <c>export</c>.</summary>
public sealed record ExportArguments(string Notebook, string Output)
{
    private static readonly Argument<string> NotebookArgument = new("notebook") { Description = "The notebook (.ipynb) to export." };

    private static readonly Option<string> OutputOption = new("--output", "-o")
    {
        Description = "The file-based app to write (<name>.cs); run it with `dotnet run <name>.cs`.",
        Required = true,
    };

    /// <summary>The <c>export</c> command; its action receives the parsed, checked arguments.</summary>
    public static Command Command(Func<ExportArguments, int> action)
    {
        var command = new Command("export", "Write a notebook as a .NET 10 file-based app (dotnet run app.cs).")
        {
            NotebookArgument, OutputOption,
        };
        command.SetAction(parse =>
        {
            var notebook = parse.GetValue(NotebookArgument)!;
            var output = parse.GetValue(OutputOption)!;
            if (!File.Exists(notebook)) throw new UsageException($"Name an existing notebook to export (got '{notebook}').");
            if (!output.EndsWith(".cs", StringComparison.OrdinalIgnoreCase)) throw new UsageException("Say where the app goes: -o <file>.cs");
            return action(new ExportArguments(notebook, output));
        });
        return command;
    }
}
