namespace NotebookRunner;

/// <summary>Arguments of <c>run</c>.</summary>
public sealed record RunArguments(IReadOnlyList<string> Notebooks, string OutputFolder, IReadOnlyList<KeyValuePair<string, string>> Parameters, int Repeat = 1)
{
    public static RunArguments Parse(string[] args)
    {
        var notebooks = new List<string>();
        var parameters = new List<KeyValuePair<string, string>>();
        string? output = null;
        var repeat = 1;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-o" or "--output":
                    output = Next(args, ref i);
                    break;
                case "-p" or "--parameter":
                    var pair = Next(args, ref i);
                    var eq = pair.IndexOf('=');
                    if (eq <= 0) throw new UsageException($"A parameter is written name=value; got '{pair}'.");
                    parameters.Add(new(pair[..eq].Trim(), pair[(eq + 1)..]));
                    break;
                case "--repeat":
                    if (!int.TryParse(Next(args, ref i), out repeat) || repeat < 1) throw new UsageException("--repeat takes a whole number, 1 or more.");
                    break;
                case var a when a.StartsWith('-'):
                    throw new UsageException($"Unknown option '{a}'.");
                default:
                    notebooks.Add(args[i]);
                    break;
            }
        }
        if (notebooks.Count == 0) throw new UsageException("Name at least one notebook (.ipynb) to run.");
        if (output is null) throw new UsageException("Say where the executed notebooks go: -o <folder> (it may be the notebooks' own folder).");
        foreach (var nb in notebooks)
        {
            if (!nb.EndsWith(".ipynb", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"'{nb}' is not a .ipynb notebook.");
            if (!File.Exists(nb)) throw new UsageException($"Notebook '{nb}' does not exist.");
        }
        var duplicate = parameters.GroupBy(p => p.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new UsageException($"Parameter '{duplicate.Key}' is given more than once.");
        return new RunArguments(notebooks, output, parameters, repeat);
    }

    internal static string Next(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new UsageException($"'{args[i - 1]}' needs a value.");
}

/// <summary>Arguments of <c>export</c>.</summary>
public sealed record ExportArguments(string Notebook, string Output)
{
    public static ExportArguments Parse(string[] args)
    {
        string? notebook = null, output = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-o" or "--output": output = RunArguments.Next(args, ref i); break;
                case var a when a.StartsWith('-'): throw new UsageException($"Unknown option '{a}'.");
                default:
                    if (notebook is not null) throw new UsageException("export takes one notebook.");
                    notebook = args[i];
                    break;
            }
        }
        if (notebook is null || !File.Exists(notebook)) throw new UsageException($"Name an existing notebook to export (got '{notebook}').");
        if (output is null || !output.EndsWith(".cs", StringComparison.OrdinalIgnoreCase)) throw new UsageException("Say where the app goes: -o <file>.cs");
        return new ExportArguments(notebook, output);
    }
}
