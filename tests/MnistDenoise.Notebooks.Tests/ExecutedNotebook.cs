using System.Text.Json.Nodes;

namespace MnistDenoise.Notebooks.Tests;

/// <summary>A .ipynb file read as JSON, with the views the tests need.</summary>
public sealed class ExecutedNotebook
{
    private ExecutedNotebook(string path, JsonObject json) => (Path, Json) = (path, json);

    public string Path { get; }

    public JsonObject Json { get; }

    public static ExecutedNotebook Read(string path) =>
        new(path, JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"{path} is not JSON."));

    public IReadOnlyList<JsonObject> Cells => Json["cells"]!.AsArray().Select(c => c!.AsObject()).ToArray();

    public IReadOnlyList<JsonObject> CodeCells => Cells.Where(c => (string?)c["cell_type"] == "code").ToArray();

    public static IReadOnlyList<JsonObject> OutputsOf(JsonObject cell) =>
        cell["outputs"] is JsonArray outputs ? outputs.Select(o => o!.AsObject()).ToArray() : [];

    public IReadOnlyList<JsonObject> Outputs => CodeCells.SelectMany(OutputsOf).ToArray();

    public static IReadOnlyList<string> Tags(JsonObject cell) =>
        cell["metadata"]?["tags"] is JsonArray tags ? tags.Select(t => (string)t!).ToArray() : [];

    /// <summary>A multiline string of the notebook format, stored as a string or as a list of lines.</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        _ => (string?)node ?? "",
    };

    /// <summary>Every text the outputs show: streams, and the text/plain and text/html of displayed values.</summary>
    public string AllOutputText => string.Join("\n", Outputs.Select(o =>
        Text(o["text"]) + Text(o["data"]?["text/plain"]) + Text(o["data"]?["text/html"]) + Text(o["evalue"])));

    /// <summary>The PNG pictures among the outputs, decoded.</summary>
    public IReadOnlyList<byte[]> Pngs => Outputs
        .Where(o => o["data"]?["image/png"] is not null)
        .Select(o => Convert.FromBase64String(Text(o["data"]!["image/png"]).Replace("\n", "")))
        .ToArray();

    public IReadOnlyList<JsonObject> Errors => Outputs.Where(o => (string?)o["output_type"] == "error").ToArray();

    /// <summary>Width and height from a PNG's header.</summary>
    public static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.True(png.Length > 24 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "not a PNG");
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)),
                System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
