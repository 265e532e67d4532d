using System.Diagnostics;

namespace MnistDenoise.Bench;

/// <summary>A child process that keeps one core busy (one thread in an endless loop) until disposed.</summary>
internal sealed class Spinner : IDisposable
{
    private readonly Process _process;

    private Spinner(Process process) => _process = process;

    /// <summary>Starts <c>bench --worker spin</c> in a new host process and returns once it spins.</summary>
    public static Spinner Start()
    {
        var (file, prefix) = ChildProcess.Host();
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Concat(["bench", "--worker", "spin"])) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        if (process.StandardOutput.ReadLine() != "spinning")
        {
            process.Kill();
            throw new InvalidOperationException("The busy-neighbour process did not start: " + process.StandardError.ReadToEnd());
        }
        return new Spinner(process);
    }

    public void Dispose()
    {
        try { _process.Kill(); _process.WaitForExit(); }
        catch (InvalidOperationException) { } // already gone
        _process.Dispose();
    }

    /// <summary>
    /// The neighbour itself: spin on one thread. It stops when its parent closes our stdin (also when the parent dies,
    /// so a crashed bench never leaves a core spinning) and after 10 minutes at most.
    /// </summary>
    public static int Spin()
    {
        var stop = 0;
        var watcher = new Thread(() =>
        {
            try { Console.In.ReadToEnd(); } catch (IOException) { }
            Volatile.Write(ref stop, 1);
        })
        { IsBackground = true };
        watcher.Start();
        Console.WriteLine("spinning");
        Console.Out.Flush();
        var deadline = Stopwatch.StartNew();
        ulong x = 1;
        while (Volatile.Read(ref stop) == 0 && deadline.Elapsed < TimeSpan.FromMinutes(10))
            for (var i = 0; i < 1_000_000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
        return x == 42 ? 1 : BenchCommand.Ok;
    }
}
