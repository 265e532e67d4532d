using Microsoft.DotNet.Interactive.Documents;

namespace NotebookRunner;

/// <summary>
/// Keeps machine-specific absolute paths out of executed notebooks: the notebook's folder becomes a relative path,
/// the repository around it "..", the home folder "~".
/// </summary>
public sealed class PathScrubber(IReadOnlyList<(string From, string To)> replacements)
{
    /// <summary>The replacements for a notebook at <paramref name="notebookPath"/>.</summary>
    public static PathScrubber ForNotebook(string notebookPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(notebookPath))!;
        var list = new List<(string, string)> { (folder + Path.DirectorySeparatorChar, ""), (folder, ".") };
        for (var dir = Directory.GetParent(folder); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) || Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
            {
                var relative = Path.GetRelativePath(folder, dir.FullName);
                list.Add((dir.FullName + Path.DirectorySeparatorChar, relative + Path.DirectorySeparatorChar));
                list.Add((dir.FullName, relative));
                break;
            }
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 1) list.Add((home, "~"));
        return new PathScrubber(list);
    }

    /// <summary>Rewrites every output of <paramref name="document"/>.</summary>
    public void Scrub(InteractiveDocument document)
    {
        foreach (var element in document.Elements)
        {
            for (var i = 0; i < element.Outputs.Count; i++)
            {
                element.Outputs[i] = element.Outputs[i] switch
                {
                    TextElement t => new TextElement(Scrub(t.Text), t.Name),
                    ErrorElement e => new ErrorElement(Scrub(e.ErrorValue), e.ErrorName, e.StackTrace.Select(Scrub).ToArray()),
                    DisplayElement d => ScrubData(d, d.Data),
                    ReturnValueElement r => ScrubData(r, r.Data),
                    var other => other,
                };
            }
        }
    }

    private InteractiveDocumentOutputElement ScrubData(InteractiveDocumentOutputElement element, IDictionary<string, object> data)
    {
        foreach (var key in data.Keys.ToArray())
            if (data[key] is string s) data[key] = Scrub(s);
        return element;
    }

    /// <summary>The text with every replacement applied, longest first.</summary>
    public string Scrub(string text)
    {
        foreach (var (from, to) in replacements.OrderByDescending(r => r.From.Length))
            text = text.Replace(from, to, StringComparison.Ordinal);
        return text;
    }
}
