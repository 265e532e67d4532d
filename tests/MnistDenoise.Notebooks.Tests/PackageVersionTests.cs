using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MnistDenoise.Notebooks.Tests;

/// <summary>The notebooks' <c>#r "nuget: …"</c> lines name the versions Directory.Packages.props pins for the projects.</summary>
public sealed partial class PackageVersionTests
{
    [GeneratedRegex("""#r\s+"nuget:\s*(?<id>[^,"\s]+)\s*(?:,\s*(?<version>[^"\s]+))?\s*"\s*""")]
    private static partial Regex NugetReference();

    private static Dictionary<string, string> Pinned() =>
        XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<(string File, string Id, string Version)> References()
    {
        var files = Directory.EnumerateFiles(Repository.Notebooks, "*.ipynb").Concat(Directory.EnumerateFiles(Repository.Notebooks, "*.dib"));
        foreach (var file in files)
        {
            var code = file.EndsWith(".ipynb", StringComparison.Ordinal)
                ? string.Join("\n", ExecutedNotebook.Read(file).CodeCells.Select(c => ExecutedNotebook.Text(c["source"])))
                : File.ReadAllText(file);
            foreach (Match m in NugetReference().Matches(code))
                yield return (Path.GetFileName(file), m.Groups["id"].Value, m.Groups["version"].Value);
        }
    }

    [Fact]
    public void Every_package_a_notebook_references_is_pinned_at_the_same_version()
    {
        var pinned = Pinned();
        var references = References().ToArray();
        Assert.True(references.Length >= Repository.Series.Count * 5, "each notebook references TorchSharp, SkiaSharp and Plotly.NET packages");
        foreach (var (file, id, version) in references)
        {
            Assert.True(version.Length > 0, $"{file}: #r \"nuget: {id}\" has no version; pin it as in Directory.Packages.props");
            Assert.True(pinned.TryGetValue(id, out var expected), $"{file}: {id} is not in Directory.Packages.props");
            Assert.True(expected == version, $"{file}: {id} {version}, but Directory.Packages.props pins {expected}");
        }
    }

    [Fact]
    public void Every_notebook_references_what_the_library_needs()
    {
        var byNotebook = References().GroupBy(r => r.File).ToDictionary(g => g.Key, g => g.Select(r => r.Id).ToHashSet());
        foreach (var name in Repository.Series)
            foreach (var id in new[] { "TorchSharp-cpu", "SkiaSharp", "SkiaSharp.NativeAssets.Linux.NoDependencies", "Plotly.NET", "Plotly.NET.Interactive" })
                Assert.True(byNotebook.TryGetValue(name, out var ids) && ids.Contains(id), $"{name} does not reference {id}");
    }
}
