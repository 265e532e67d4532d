using System.Diagnostics;
using System.Text.Json;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;

namespace NotebookRunner;

/// <summary><c>notebook-runner run</c>: executes notebooks one after the other, each in a fresh kernel.</summary>
public static class RunCommand
{
    public static async Task<int> RunAsync(RunArguments arguments, Terminal terminal)
    {
        var notebooks = arguments.Notebooks.Select(path => (Path: Path.GetFullPath(path), Document: Read(path))).ToList();
        CheckParameters(notebooks, arguments.Parameters);

        var outputFolder = Path.GetFullPath(arguments.OutputFolder);
        Directory.CreateDirectory(outputFolder);
        if (notebooks.Count > 1)
            return await RunEachInItsOwnProcessAsync(notebooks, arguments, terminal);

        using var interrupt = new InterruptHandler();
        foreach (var (path, document) in notebooks)
        {
            var outcome = await ExecuteAsync(path, document, arguments.Parameters, arguments.Repeat, terminal, interrupt);
            var target = Path.Combine(outputFolder, Path.GetFileName(path));
            PathScrubber.ForNotebook(path).Scrub(document);
            await File.WriteAllTextAsync(target, document.ToJupyterJson() + "\n");
            if (outcome != Program.Ok)
            {
                terminal.Error.WriteLine($"notebook-runner: wrote the partly executed notebook to {target}");
                return outcome;
            }
        }
        return Program.Ok;
    }

    /// <summary>
    /// Several notebooks run one after the other, each in a child process of its own, as Jupyter gives each notebook its
    /// own kernel process: a notebook's static state and loaded assemblies never leak into the next one.
    /// </summary>
    private static async Task<int> RunEachInItsOwnProcessAsync(List<(string Path, InteractiveDocument Document)> notebooks, RunArguments arguments, Terminal terminal)
    {
        // Ctrl+C reaches the child too (same process group); the child stops its cell and exits 130, which ends the loop.
        ConsoleCancelEventHandler waitForChild = (_, e) => e.Cancel = true;
        Console.CancelKeyPress += waitForChild;
        try
        {
            return await RunChildrenAsync();
        }
        finally
        {
            Console.CancelKeyPress -= waitForChild;
        }

        async Task<int> RunChildrenAsync()
        {
            foreach (var (path, document) in notebooks)
            {
                var declared = ParametersCell(document) is { } cell ? Parameters.Parse(cell.Contents).Select(d => d.Name).ToHashSet() : [];
                var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { UseShellExecute = false };
                start.ArgumentList.Add(typeof(Program).Assembly.Location);
                foreach (var a in new[] { "run", path, "-o", arguments.OutputFolder, "--repeat", arguments.Repeat.ToString(System.Globalization.CultureInfo.InvariantCulture) })
                    start.ArgumentList.Add(a);
                foreach (var (name, value) in arguments.Parameters.Where(p => declared.Contains(p.Key)))
                {
                    start.ArgumentList.Add("-p");
                    start.ArgumentList.Add($"{name}={value}");
                }
                using var child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the notebook runner for " + path);
                await child.WaitForExitAsync();
                if (child.ExitCode != Program.Ok) return child.ExitCode;
            }
            return Program.Ok;
        }
    }

    internal static InteractiveDocument Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Notebook.Read(stream, NotebookKernel.KernelInfos);
        }
        catch (JsonException e)
        {
            throw new UsageException($"'{path}' is not a readable .ipynb notebook: {e.Message}");
        }
    }

    /// <summary>Every -p name must be declared by the parameters cell of at least one of the notebooks.</summary>
    private static void CheckParameters(IReadOnlyList<(string Path, InteractiveDocument Document)> notebooks, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        if (overrides.Count == 0) return;
        var declared = notebooks.ToDictionary(n => Path.GetFileName(n.Path), n => ParametersCell(n.Document) is { } cell
            ? Parameters.Parse(cell.Contents).Select(d => d.Name).ToArray() : []);
        foreach (var (_, document) in notebooks)
            if (ParametersCell(document) is { } cell)
            {
                var declarations = Parameters.Parse(cell.Contents);
                Parameters.InjectedCode(declarations, overrides.Where(o => declarations.Any(d => d.Name == o.Key))); // throws on a value that does not fit
            }
        var unknown = overrides.Select(o => o.Key).Where(name => !declared.Values.Any(names => names.Contains(name))).ToArray();
        if (unknown.Length > 0)
        {
            var known = declared.Select(d => $"{d.Key}: {(d.Value.Length == 0 ? "(no parameters cell)" : string.Join(", ", d.Value))}");
            throw new UsageException(
                $"Unknown parameter{(unknown.Length > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}: no notebook's " +
                $"parameters cell declares {(unknown.Length > 1 ? "them" : "it")}. Declared: {string.Join("; ", known)}.");
        }
    }

    private static async Task<int> ExecuteAsync(string path, InteractiveDocument document, IReadOnlyList<KeyValuePair<string, string>> overrides,
        int passes, Terminal terminal, InterruptHandler interrupt)
    {
        var name = Path.GetFileName(path);
        var labels = PrepareCells(document, overrides);
        var clock = Stopwatch.StartNew();
        terminal.Out.WriteLine($"▶ {name}");

        var previousDirectory = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Path.GetDirectoryName(path)!; // relative #r, #!import and data paths resolve against the notebook's folder
        using var kernel = NotebookKernel.Create();
        OutputCollector? collector = null;
        using var subscription = kernel.KernelEvents.Subscribe(e => collector?.Add(e));
        interrupt.Kernel = kernel;
        try
        {
            var executionCount = 0;
            for (var pass = 1; pass <= passes; pass++)
            {
                var outcome = await ExecutePassAsync();
                if (outcome != Program.Ok) return outcome;
                if (passes > 1)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    terminal.Out.WriteLine($"  pass {pass}: {Process.GetCurrentProcess().WorkingSet64 / (1024 * 1024)} MiB resident after a full GC");
                }
            }
            terminal.Out.WriteLine($"✔ {name} ({clock.Elapsed.TotalSeconds:0.0} s)");
            return Program.Ok;

            async Task<int> ExecutePassAsync()
            {
                var elements = document.Elements;
                foreach (var element in elements) if (element.KernelName != "markdown") { element.Outputs.Clear(); element.ExecutionOrder = 0; }
                for (var i = 0; i < elements.Count; i++)
                {
                    var element = elements[i];
                    if (element.KernelName == "markdown" || string.IsNullOrWhiteSpace(element.Contents)) continue;
                    var cellClock = Stopwatch.StartNew();
                    collector = new OutputCollector(++executionCount, text => Echo(terminal, text));
                    await kernel.SendAsync(new SubmitCode(element.Contents, element.KernelName ?? "csharp"));
                    element.ExecutionOrder = executionCount;
                    element.Outputs.AddRange(collector.Outputs);
                    if (interrupt.Requested)
                    {
                        terminal.Error.WriteLine($"notebook-runner: {name}: interrupted (Ctrl+C) during {labels[i]}; stopped there.");
                        return Program.Interrupted;
                    }
                    if (collector.Failure is not null)
                    {
                        var error = (ErrorElement)collector.Outputs.Last(o => o is ErrorElement);
                        terminal.Error.WriteLine($"notebook-runner: {name}, {labels[i]} failed: {error.ErrorName}: {error.ErrorValue}");
                        return Program.CellFailed;
                    }
                    if (cellClock.Elapsed.TotalSeconds >= 5)
                        terminal.Out.WriteLine($"  {labels[i]} took {cellClock.Elapsed.TotalSeconds:0} s");
                }
                return Program.Ok;
            }
        }
        finally
        {
            interrupt.Kernel = null;
            collector = null;
            Environment.CurrentDirectory = previousDirectory;
        }
    }

    private static void Echo(Terminal terminal, string text)
    {
        foreach (var line in text.TrimEnd('\n').Split('\n')) terminal.Out.WriteLine("  │ " + line);
    }

    /// <summary>
    /// Removes an earlier run's injected cell, inserts this run's after the parameters cell, and returns, for every
    /// element, how to name it in messages: "cell N" counting the notebook's own cells from 1, as an editor shows them.
    /// </summary>
    private static List<string> PrepareCells(InteractiveDocument document, IReadOnlyList<KeyValuePair<string, string>> overrides)
    {
        var elements = document.Elements;
        foreach (var old in elements.Where(e => Tags(e).Contains(Parameters.InjectedTag)).ToArray()) elements.Remove(old);
        var labels = elements.Select((_, i) => $"cell {i + 1}").ToList();
        for (var i = 0; i < elements.Count; i++) elements[i].Id ??= $"cell-{i + 1}"; // nbformat 4.5 wants an id on every cell
        if (ParametersCell(document) is not { } parametersCell) return labels;

        var declared = Parameters.Parse(parametersCell.Contents);
        var applicable = overrides.Where(o => declared.Any(d => d.Name == o.Key)).ToArray();
        if (applicable.Length == 0) return labels;
        var injected = new InteractiveDocumentElement(Parameters.InjectedCode(declared, applicable), "csharp")
        {
            Id = Parameters.InjectedTag,
            Metadata = new Dictionary<string, object> { ["tags"] = new object[] { Parameters.InjectedTag } },
        };
        var at = elements.IndexOf(parametersCell) + 1;
        elements.Insert(at, injected);
        labels.Insert(at, "injected-parameters cell");
        return labels;
    }

    internal static InteractiveDocumentElement? ParametersCell(InteractiveDocument document) =>
        document.Elements.FirstOrDefault(e => e.KernelName != "markdown" && Tags(e).Contains(Parameters.Tag));

    internal static IReadOnlyList<string> Tags(InteractiveDocumentElement element)
    {
        if (element.Metadata is null || !element.Metadata.TryGetValue("tags", out var tags)) return [];
        return tags switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } json => json.EnumerateArray().Select(t => t.ToString()).ToArray(),
            IEnumerable<object> list => list.Select(t => t?.ToString() ?? "").ToArray(),
            _ => [],
        };
    }

    /// <summary>Ctrl+C cancels the running cell (the kernel's cancellation token fires) and stops the run after it.</summary>
    private sealed class InterruptHandler : IDisposable
    {
        public InterruptHandler() => Console.CancelKeyPress += OnCancel;

        public Kernel? Kernel { get; set; }

        public bool Requested { get; private set; }

        private void OnCancel(object? sender, ConsoleCancelEventArgs e)
        {
            if (Requested) return; // a second Ctrl+C ends the process
            e.Cancel = true;
            Requested = true;
            _ = Kernel?.SendAsync(new Cancel());
        }

        public void Dispose() => Console.CancelKeyPress -= OnCancel;
    }
}
