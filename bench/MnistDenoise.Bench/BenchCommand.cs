using System.CommandLine;
using System.Globalization;
using MnistDenoise.Runtime;
using MnistDenoise.Training;

namespace MnistDenoise.Bench;

/// <summary>
/// <c>mnist-denoise bench</c>: in one run, the machine's limits (the CPU named, its theoretical fp32/bf16 peak from the
/// instruction set, and measured ceilings: MKL's GEMM and oneDNN's convolution), the training step in every setting
/// the library chooses between (interleaved rounds in one process, so ratios are fair on a noisy machine), the same
/// step in PyTorch and inside a notebook kernel (child processes), the step beside a busy neighbour under several
/// OpenMP wait settings, forward-only speed, MNIST loading time and peak memory, then issue 10's goals against those
/// numbers. The host adds <see cref="Create"/> as its top-level <c>bench</c> command; child jobs re-run that host.
/// </summary>
public static class BenchCommand
{
    /// <summary>The command line's exit codes for success and bad usage.</summary>
    internal const int Ok = 0, Usage = 2;

    /// <summary>The <c>bench</c> command with its options; its hidden <c>--worker</c> runs one child job.</summary>
    /// <param name="mnistFolder">Where the host keeps MNIST (asked when the command runs).</param>
    public static Command Create(Func<string> mnistFolder)
    {
        ArgumentNullException.ThrowIfNull(mnistFolder);
        var steps = new Option<int>("--steps") { Description = "Timed steps per configuration and round.", DefaultValueFactory = _ => 8 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds; configurations alternate within each round.", DefaultValueFactory = _ => 2 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 200 };
        var threads = new Option<int?>("--threads") { Description = "Torch intra-op threads (default: TorchSharp's, the number of cores)." };
        var python = new Option<string?>("--python") { Description = "Python with PyTorch for the peer (default: python3, then /usr/bin/python3)." };
        var skipPeers = new Option<bool>("--no-peers") { Description = "Skip the child processes (PyTorch, notebook kernel, glibc defaults, memory, busy neighbour)." };
        var worker = new Option<string?>("--worker") { Hidden = true, Description = "Internal: run one measurement as a child process." };
        RejectOutside(steps, 1, 10_000, "");
        RejectOutside(rounds, 1, 100, "");
        RejectOutside(batchSize, 1, 10_000, "The tutorial uses 200.");
        RejectOutside(threads, TrainingLimits.Threads.Min, TrainingLimits.Threads.Max, $"({TrainingLimits.Threads.Hint})");
        var command = new Command("bench", "Measure training speed against the machine's limits (ISA peak, oneDNN and GEMM ceilings) and PyTorch, with a busy neighbour, plus loading time and memory; prints one table per topic.")
        {
            steps, rounds, batchSize, threads, python, skipPeers, worker,
        };
        command.SetAction(parse =>
        {
            var settings = new BenchSettings(parse.GetValue(steps), parse.GetValue(rounds), parse.GetValue(batchSize),
                parse.GetValue(threads) ?? CpuFeatures.Cores, mnistFolder());
            return parse.GetValue(worker) switch
            {
                "spin" => Spinner.Spin(),
                { } job => Workers.Run(job, settings),
                null => BenchRun.Run(settings, parse.GetValue(python), !parse.GetValue(skipPeers)),
            };
        });
        return command;
    }

    // Reads the option's own token, so that a value that is not a number is left to the parser's message.
    private static void RejectOutside(Option option, int min, int max, string hint) =>
        option.Validators.Add(result =>
        {
            if (result.Tokens is [{ } token] && int.TryParse(token.Value, CultureInfo.InvariantCulture, out var value) && (value < min || value > max))
                result.AddError($"{option.Name} must be between {min} and {max}; got {value}. {hint}");
        });
}

/// <summary>What one bench run (and each of its child jobs) measures with.</summary>
internal sealed record BenchSettings(int Steps, int Rounds, int Batch, int Threads, string MnistFolder)
{
    /// <summary>Untimed steps before every timed series.</summary>
    public const int Warmup = 3;

    /// <summary>The options that hand these settings to a child bench or script.</summary>
    public IEnumerable<string> Arguments() =>
    [
        "--steps", Steps.ToString(CultureInfo.InvariantCulture), "--rounds", Rounds.ToString(CultureInfo.InvariantCulture),
        "--batch-size", Batch.ToString(CultureInfo.InvariantCulture), "--threads", Threads.ToString(CultureInfo.InvariantCulture),
    ];
}
