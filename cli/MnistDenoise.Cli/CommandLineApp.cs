using System.CommandLine;

namespace MnistDenoise.Cli;

/// <summary>Parses, reports usage errors with exit code 2, and maps failures to clear messages.</summary>
internal static class CommandLineApp
{
    public const int Ok = 0, Failed = 1, Usage = 2, Cancelled = 130;

    private static readonly Lazy<CancellationTokenSource> CtrlCSource = new(() =>
    {
        var source = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (source.IsCancellationRequested) return; // a second Ctrl+C ends the process at once
            Console.Error.WriteLine("Stopping after the current step (Ctrl+C again to quit now)...");
            e.Cancel = true;
            source.Cancel();
        };
        return source;
    });

    /// <summary>Cancelled by the first Ctrl+C, so long work can stop cleanly and keep what it has.</summary>
    public static CancellationToken CtrlC => CtrlCSource.Value.Token;

    public static int Run(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine($"Run '{root.Name} {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))} --help' for the options.".Replace("  ", " "));
            return Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Usage;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return Cancelled;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException or Data.DownloadFailedException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failed;
        }
    }

    /// <summary>An option value the parser accepted but that makes no sense (an absurd hyperparameter).</summary>
    public sealed class UsageException(string message) : Exception(message);

    /// <summary>Adds a validator that rejects values outside <paramref name="range"/> (the library's own limits) with the option's name.</summary>
    public static Option<T> Range<T>(this Option<T> option, MnistDenoise.Training.ValueRange<T> range) where T : IComparable<T>
    {
        option.Validators.Add(result =>
        {
            T value;
            try { value = result.GetValueOrDefault<T>(); }
            catch (InvalidOperationException) { return; } // not a number: the parser reports that itself
            if (!range.Contains(value))
                result.AddError($"{option.Name} must be between {range.Min} and {range.Max}; got {value}. ({range.Hint})");
        });
        return option;
    }

    /// <summary>Same as <see cref="Range{T}(Option{T}, MnistDenoise.Training.ValueRange{T})"/> for an option that may be left unset.</summary>
    public static Option<T?> Range<T>(this Option<T?> option, MnistDenoise.Training.ValueRange<T> range) where T : struct, IComparable<T>
    {
        option.Validators.Add(result =>
        {
            T? value;
            try { value = result.GetValueOrDefault<T?>(); }
            catch (InvalidOperationException) { return; }
            if (value is { } v && !range.Contains(v))
                result.AddError($"{option.Name} must be between {range.Min} and {range.Max}; got {v}. ({range.Hint})");
        });
        return option;
    }

    /// <summary>Adds a validator that rejects values outside [min, max] with the option's name and a hint.</summary>
    public static Option<T> Range<T>(this Option<T> option, T min, T max, string hint) where T : IComparable<T>
    {
        option.Validators.Add(result =>
        {
            T value;
            try { value = result.GetValueOrDefault<T>(); }
            catch (InvalidOperationException) { return; } // not a number: the parser reports that itself
            if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
                result.AddError($"{option.Name} must be between {min} and {max}; got {value}. {hint}");
        });
        return option;
    }
}
