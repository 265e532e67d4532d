using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;

namespace NotebookRunner;

/// <summary>One variable declared in a notebook's parameters cell, e.g. <c>int epochs = 2;</c>.</summary>
public sealed record ParameterDeclaration(string Type, string Name, string DefaultValue);

/// <summary>
/// Papermill-style parameters for C#: the variables a cell tagged <c>parameters</c> declares, and the cell
/// that redeclares the overridden ones (C# script lets a later submission redeclare a variable).
/// </summary>
public static partial class Parameters
{
    /// <summary>The tag of the cell whose declarations can be overridden.</summary>
    public const string Tag = "parameters";

    /// <summary>The tag of the cell the runner inserts after it.</summary>
    public const string InjectedTag = "injected-parameters";

    // "int epochs = 2;", "double? x = null; // comment", "string init = \"Default\";"
    [GeneratedRegex("""^\s*(?<type>[A-Za-z_][\w.]*(?:<[\w.,\s]+>)?\??(?:\[\])?)\s+(?<name>[A-Za-z_]\w*)\s*=\s*(?<value>[^;]+);""", RegexOptions.Multiline)]
    private static partial Regex Declaration();

    /// <summary>The declarations of a parameters cell, in order.</summary>
    public static IReadOnlyList<ParameterDeclaration> Parse(string code) =>
        Declaration().Matches(code).Select(m => new ParameterDeclaration(m.Groups["type"].Value, m.Groups["name"].Value, m.Groups["value"].Value.Trim())).ToArray();

    /// <summary>The code of the injected cell: one declaration per override, typed like the original.</summary>
    /// <exception cref="UsageException">A value does not fit its variable's type.</exception>
    public static string InjectedCode(IReadOnlyList<ParameterDeclaration> declared, IEnumerable<KeyValuePair<string, string>> overrides)
    {
        var code = new StringBuilder("// Parameters injected by notebook-runner (-p), overriding the cell above.\n");
        foreach (var (name, value) in overrides)
        {
            var declaration = declared.First(d => d.Name == name);
            code.Append($"{declaration.Type} {name} = {Literal(declaration, value)};\n");
        }
        return code.ToString().TrimEnd('\n');
    }

    /// <summary>A C# expression for <paramref name="value"/> as a value of the declared type.</summary>
    public static string Literal(ParameterDeclaration declaration, string value)
    {
        var type = declaration.Type;
        var nullable = type.EndsWith('?');
        var core = type.TrimEnd('?');
        if (value == "null")
        {
            if (nullable || core is "string" or "object") return "null";
            throw new UsageException($"Parameter '{declaration.Name}' is {type} and cannot be null.");
        }
        var inv = CultureInfo.InvariantCulture;
        string Fail(string what) => throw new UsageException($"Parameter '{declaration.Name}' is {type}: '{value}' is not {what}.");
        return core switch
        {
            "string" => SymbolDisplay.FormatLiteral(value, quote: true),
            "bool" => bool.TryParse(value, out var b) ? (b ? "true" : "false") : Fail("true or false"),
            "int" => int.TryParse(value, NumberStyles.Integer, inv, out var i) ? i.ToString(inv) : Fail("a whole number"),
            "long" => long.TryParse(value, NumberStyles.Integer, inv, out var l) ? l.ToString(inv) + "L" : Fail("a whole number"),
            "double" => double.TryParse(value, NumberStyles.Float, inv, out var d) && double.IsFinite(d) ? Number(d) : Fail("a number"),
            "float" => float.TryParse(value, NumberStyles.Float, inv, out var f) && float.IsFinite(f) ? f.ToString("R", inv) + "f" : Fail("a number"),
            "var" => int.TryParse(value, NumberStyles.Integer, inv, out var vi) ? vi.ToString(inv)
                : double.TryParse(value, NumberStyles.Float, inv, out var vd) ? Number(vd)
                : bool.TryParse(value, out var vb) ? (vb ? "true" : "false")
                : SymbolDisplay.FormatLiteral(value, quote: true),
            _ => value, // any other type: the value is taken as a C# expression, e.g. -p init=WeightInit.Tutorial
        };

        static string Number(double d)
        {
            var text = d.ToString("R", CultureInfo.InvariantCulture);
            return text.Contains('.') || text.Contains('E') ? text : text + ".0";
        }
    }
}
