using System.Net;
using System.Text;

namespace MnistDenoise.Notebooks;

/// <summary>A small table: shown as HTML in notebooks and as aligned text in text-only places (console, exported apps).</summary>
public sealed class Table
{
    private readonly List<string[]> _rows = [];

    /// <summary>A table with these column headers.</summary>
    public Table(params string[] headers) => Headers = headers;

    /// <summary>Column headers.</summary>
    public IReadOnlyList<string> Headers { get; }

    /// <summary>Rows added so far.</summary>
    public IReadOnlyList<string[]> Rows => _rows;

    /// <summary>Index of columns written right-aligned (numbers).</summary>
    public HashSet<int> RightAligned { get; } = [];

    /// <summary>Adds a row; values are written with <see cref="object.ToString"/>.</summary>
    public Table Add(params object?[] cells)
    {
        if (cells.Length != Headers.Count)
            throw new ArgumentException($"The table has {Headers.Count} columns; the row has {cells.Length} cells.", nameof(cells));
        _rows.Add(cells.Select(c => Convert.ToString(c, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray());
        return this;
    }

    /// <summary>An HTML &lt;table&gt;.</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<table><thead><tr>");
        for (var c = 0; c < Headers.Count; c++) html.Append(Cell("th", c, Headers[c]));
        html.Append("</tr></thead><tbody>");
        foreach (var row in _rows)
        {
            html.Append("<tr>");
            for (var c = 0; c < row.Length; c++) html.Append(Cell("td", c, row[c]));
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();

        string Cell(string tag, int column, string text) =>
            $"<{tag}{(RightAligned.Contains(column) ? " style=\"text-align:right\"" : "")}>{WebUtility.HtmlEncode(text)}</{tag}>";
    }

    /// <summary>Aligned plain text, one line per row.</summary>
    public override string ToString()
    {
        var widths = Headers.Select((h, c) => _rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        Line(Headers.ToArray());
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows) Line(row);
        return text.ToString().TrimEnd();

        void Line(string[] cells) => text.AppendLine(string.Join("  ",
            cells.Select((cell, c) => RightAligned.Contains(c) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd());
    }
}
