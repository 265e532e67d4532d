using System.CommandLine;
using System.Runtime.InteropServices;

namespace MnistDenoise.Cli;

/// <summary>Parses, reports usage errors with exit code 2, and maps failures to clear messages.</summary>
internal static class CommandLineApp
{
    public const int Ok = 0, Failed = 1, Usage = 2, Cancelled = 130;

    private static readonly CancellationTokenSource StopSource = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static volatile int _stopSignal;

    /// <summary>
    /// Cancelled by the first SIGINT (Ctrl+C), SIGTERM (<c>kill</c>, <c>timeout</c>, a CI cancel) or SIGHUP (the terminal
    /// closed), so that long work (training, downloads, scoring) stops cleanly and keeps what it has. A second signal
    /// ends the process at once, as the signal normally would.
    /// </summary>
    public static CancellationToken Stop
    {
        get
        {
            lock (Registrations)
            {
                if (Registrations.Count == 0)
                {
                    foreach (var (signal, number) in new[] { (PosixSignal.SIGINT, 2), (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1) })
                    {
                        try { Registrations.Add(PosixSignalRegistration.Create(signal, context => OnSignal(context, number))); }
                        catch (PlatformNotSupportedException) { } // SIGHUP and SIGTERM on Windows
                    }
                }
            }
            return StopSource.Token;
        }
    }

    private static void OnSignal(PosixSignalContext context, int number)
    {
        if (StopSource.IsCancellationRequested) return; // the second signal: let it end the process now
        context.Cancel = true;
        _stopSignal = number;
        var name = number switch { 2 => "Ctrl+C", 15 => "SIGTERM", _ => "SIGHUP" };
        Console.Error.WriteLine($"{name}: stopping at the next safe point and keeping what is done ({name} again to quit now)...");
        StopSource.Cancel();
    }

    /// <summary>The exit code for work stopped by <see cref="Stop"/>: 128 + the signal (130 Ctrl+C, 143 SIGTERM, 129 SIGHUP).</summary>
    public static int CancelledExitCode => _stopSignal == 0 ? Cancelled : 128 + _stopSignal;

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
            return CancelledExitCode;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException or Data.DownloadFailedException
            or System.Runtime.InteropServices.ExternalException or NotSupportedException)
        {
            // libtorch's errors carry their C++ stack; the user gets the first sentence only.
            Console.Error.WriteLine($"error: {NativeErrors.OneLine(e)}");
            return Failed;
        }
    }

    /// <summary>An option value the parser accepted but that makes no sense (an absurd hyperparameter).</summary>
    public sealed class UsageException(string message) : Exception(message);
}
