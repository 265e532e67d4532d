namespace MnistDenoise;

/// <summary>
/// libtorch's errors reach .NET as <c>ExternalException</c>s whose message carries the C++ stack ("Exception raised
/// from … frame #0: …"), which says nothing to a user. This keeps the first sentence, on one line.
/// </summary>
public static class NativeErrors
{
    /// <summary>The message of <paramref name="error"/> up to libtorch's stack trace, with line breaks folded into spaces.</summary>
    public static string OneLine(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return OneLine(error.Message);
    }

    /// <summary>The text of <paramref name="message"/> up to libtorch's stack trace, with line breaks folded into spaces.</summary>
    public static string OneLine(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var end = message.Length;
        foreach (var marker in new[] { "Exception raised from", "frame #0", "(most recent call first)" })
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0) end = Math.Min(end, at);
        }
        var text = string.Join(' ', message[..end].Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.Length > 0 ? text : "a native error without a message";
    }
}
