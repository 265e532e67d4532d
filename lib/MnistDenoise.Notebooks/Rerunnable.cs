namespace MnistDenoise.Notebooks;

/// <summary>
/// Keeps one disposable object per name across runs of a notebook cell: re-running the cell disposes the object of
/// the previous run before making the new one, so models and optimizers (native memory) do not pile up.
/// </summary>
public static class Rerunnable
{
    private static readonly Dictionary<string, IDisposable> Held = [];
    private static readonly Lock Gate = new();

    /// <summary>Disposes what <paramref name="name"/> held (if anything), then makes, holds and returns a new object.</summary>
    public static T Replace<T>(string name, Func<T> create) where T : class, IDisposable
    {
        ArgumentNullException.ThrowIfNull(create);
        Release(name);
        var value = create();
        lock (Gate) Held[name] = value;
        return value;
    }

    /// <summary>Disposes and forgets what <paramref name="name"/> held; does nothing if it held nothing.</summary>
    public static void Release(string name)
    {
        IDisposable? old;
        lock (Gate)
        {
            if (!Held.Remove(name, out old)) return;
        }
        old.Dispose();
    }

    /// <summary>Names currently held, for diagnostics.</summary>
    public static IReadOnlyCollection<string> Names
    {
        get { lock (Gate) return Held.Keys.ToArray(); }
    }
}
