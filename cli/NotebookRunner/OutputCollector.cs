using System.Text;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace NotebookRunner;

/// <summary>
/// Turns the events of one cell into .ipynb outputs, as Jupyter would store them: consecutive standard output
/// merged into one stream, displayed values as display_data (an update replaces its value in place), the
/// returned value as execute_result, a failure as an error output.
/// </summary>
public sealed class OutputCollector(int executionCount, Action<string>? echo = null)
{
    private readonly List<InteractiveDocumentOutputElement> _outputs = [];
    private readonly Dictionary<string, int> _displayIndex = [];
    private readonly List<Diagnostic> _errors = [];

    /// <summary>
    /// Assembly-unification notices (TorchSharp is built against .NET 8's System.Runtime.Numerics, the kernel runs .NET 10),
    /// which the .NET SDK silences in every project build (NoWarn 1701;1702) and so does the runner.
    /// </summary>
    private static readonly HashSet<string> IgnoredWarnings = ["CS1701", "CS1702"];

    /// <summary>The outputs so far.</summary>
    public IReadOnlyList<InteractiveDocumentOutputElement> Outputs => _outputs;

    /// <summary>The failure, if the cell failed.</summary>
    public CommandFailed? Failure { get; private set; }

    /// <summary>Adds what <paramref name="e"/> means for the notebook.</summary>
    public void Add(KernelEvent e)
    {
        switch (e)
        {
            case StandardOutputValueProduced o:
                Stream("stdout", Text(o.FormattedValues));
                break;
            case StandardErrorValueProduced o:
                Stream("stderr", Text(o.FormattedValues));
                break;
            case DisplayedValueUpdated u when u.ValueId is { } id && _displayIndex.TryGetValue(id, out var at):
                _outputs[at] = new DisplayElement(Data(u.FormattedValues));
                break;
            case DisplayedValueProduced or DisplayedValueUpdated:
                var display = (DisplayEvent)e;
                if (display.ValueId is { } valueId) _displayIndex[valueId] = _outputs.Count;
                _outputs.Add(new DisplayElement(Data(display.FormattedValues)));
                break;
            case ReturnValueProduced r:
                var result = new ReturnValueElement { ExecutionOrder = executionCount };
                foreach (var (mime, value) in Data(r.FormattedValues)) result.Data[mime] = value;
                _outputs.Add(result);
                break;
            case DiagnosticsProduced d:
                foreach (var diagnostic in d.Diagnostics)
                {
                    if (IgnoredWarnings.Contains(diagnostic.Code)) continue;
                    if (diagnostic.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error) _errors.Add(diagnostic);
                    else if (diagnostic.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Warning) Stream("stderr", Describe(diagnostic) + "\n");
                }
                break;
            case ErrorProduced p:
                Stream("stderr", p.Message + "\n");
                break;
            case CommandFailed f when Failure is null:
                Failure = f;
                _outputs.Add(new ErrorElement(ErrorValue(f), ErrorName(f), Traceback(f)));
                break;
        }
    }

    /// <summary>The error's kind: the exception's type name, or "CompilationError" for diagnostics.</summary>
    public string ErrorName(CommandFailed f) =>
        _errors.Count > 0 ? "CompilationError" : f.Exception?.GetType().Name ?? "Error";

    /// <summary>The error's message, with the compiler's errors when there are some.</summary>
    public string ErrorValue(CommandFailed f) =>
        _errors.Count > 0 ? string.Join("\n", _errors.Select(Describe)) : f.Exception?.Message ?? f.Message;

    /// <summary>A compiler diagnostic as compilers print it: "(line,column): error CS0103: message", 1-based.</summary>
    public static string Describe(Diagnostic d) =>
        $"({d.LinePositionSpan.Start.Line + 1},{d.LinePositionSpan.Start.Character + 1}): {d.Severity.ToString().ToLowerInvariant()} {d.Code}: {d.Message}";

    private string[] Traceback(CommandFailed f)
    {
        var lines = new List<string> { $"{ErrorName(f)}: {ErrorValue(f)}" };
        if (f.Exception is { } ex && _errors.Count == 0)
            lines.AddRange((ex.ToString() ?? "").Split('\n').Skip(1).Select(l => l.TrimEnd('\r')));
        return lines.ToArray();
    }

    private void Stream(string name, string text)
    {
        if (text.Length == 0) return;
        echo?.Invoke(text);
        if (_outputs.Count > 0 && _outputs[^1] is TextElement last && last.Name == name)
            _outputs[^1] = new TextElement(last.Text + text, name);
        else
            _outputs.Add(new TextElement(text, name));
    }

    private static string Text(IEnumerable<FormattedValue> values) =>
        values.FirstOrDefault(v => v.MimeType == PlainTextFormatter.MimeType)?.Value ?? values.FirstOrDefault()?.Value ?? "";

    private static Dictionary<string, object> Data(IEnumerable<FormattedValue> values)
    {
        var data = new Dictionary<string, object>();
        foreach (var v in values.Where(v => !v.SuppressDisplay)) data[v.MimeType] = v.Value;
        return data;
    }
}
