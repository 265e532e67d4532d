namespace MnistDenoise.Notebooks;

/// <summary>
/// Keeps big objects across runs of a notebook cell. A C# notebook keeps every earlier run of a cell alive (each run is
/// a new script submission that holds its variables), so a cell that makes a model or loads a data set on every run
/// piles them up. <see cref="Replace{T}"/> disposes the previous run's object (native memory: models, optimizers);
/// <see cref="Keep{T}"/> hands back the previous run's object when it was made from the same arguments (managed
/// memory: data sets).
/// </summary>
public static class Rerunnable
{
    private static readonly Dictionary<string, (object? Arguments, object Value)> Held = [];
    private static readonly Lock Gate = new();

    /// <summary>Disposes what <paramref name="name"/> held (if anything), then makes, holds and returns a new object.</summary>
    public static T Replace<T>(string name, Func<T> create) where T : class, IDisposable
    {
        ArgumentNullException.ThrowIfNull(create);
        Release(name);
        var value = create();
        lock (Gate) Held[name] = (null, value);
        return value;
    }

    /// <summary>
    /// The object held under <paramref name="name"/> if it was made with arguments equal to <paramref name="arguments"/>
    /// (compared with <see cref="object.Equals(object?, object?)"/>: a tuple or record of the values it depends on);
    /// otherwise releases that one and makes, holds and returns a new one.
    /// </summary>
    public static T Keep<T>(string name, object? arguments, Func<T> create) where T : class
    {
        ArgumentNullException.ThrowIfNull(create);
        lock (Gate)
        {
            if (Held.TryGetValue(name, out var held) && Equals(held.Arguments, arguments) && held.Value is T same)
                return same;
        }
        Release(name);
        var value = create();
        lock (Gate) Held[name] = (arguments, value);
        return value;
    }

    /// <summary>Forgets what <paramref name="name"/> held, disposing it if it is disposable; does nothing if it held nothing.</summary>
    public static void Release(string name)
    {
        (object? Arguments, object Value) old;
        lock (Gate)
        {
            if (!Held.Remove(name, out old)) return;
        }
        (old.Value as IDisposable)?.Dispose();
    }

    /// <summary>Names currently held, for diagnostics.</summary>
    public static IReadOnlyCollection<string> Names
    {
        get { lock (Gate) return Held.Keys.ToArray(); }
    }
}
