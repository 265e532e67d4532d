using System.Text.Json.Nodes;
using Spectre.Console;

namespace MnistDenoise.Bench;

/// <summary>The lines the bench prints while it runs, before its tables.</summary>
internal static class Progress
{
    /// <summary>What runs now, in grey.</summary>
    public static void Step(string text) => AnsiConsole.MarkupLineInterpolated($"[grey]{text}[/]");

    /// <summary>Says in yellow why a measurement is missing; returns null to stand for it.</summary>
    public static JsonObject? Skipped(string message)
    {
        AnsiConsole.MarkupLineInterpolated($"[yellow]{message}[/]");
        return null;
    }
}
