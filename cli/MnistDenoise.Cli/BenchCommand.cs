using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MnistDenoise.Model;
using MnistDenoise.Runtime;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Cli;

/// <summary>
/// <c>mnist-denoise bench</c>: times the tutorial's training step and forward pass in the memory layouts the
/// library could use, interleaved in one process so that the ratios are fair on a noisy machine.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Timed steps per configuration and round.", DefaultValueFactory = _ => 10 }
            .Range(1, 10_000, "");
        var rounds = new Option<int>("--rounds") { Description = "Rounds; configurations alternate within each round.", DefaultValueFactory = _ => 2 }
            .Range(1, 100, "");
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 200 }
            .Range(1, 10_000, "The tutorial uses 200.");
        var threads = SharedOptions.Threads();
        var noTuning = new Option<bool>("--no-malloc-tuning") { Description = "Leave glibc's allocator as it is (to measure what the tuning buys)." };
        var command = new Command("bench", "Time training and inference steps (ms/step, images/s) side by side for the memory layouts.")
        {
            steps, rounds, batchSize, threads, noTuning,
        };
        command.SetAction(parse =>
        {
            if (!parse.GetValue(noTuning)) NativeAllocator.TuneForTraining();
            if (parse.GetValue(threads) is { } t) set_num_threads(t);
            Run(parse.GetValue(steps), parse.GetValue(rounds), parse.GetValue(batchSize));
            return CommandLineApp.Ok;
        });
        return command;
    }

    private static void Run(int steps, int rounds, int batch)
    {
        var configurations = new (string Name, bool ChannelsLast, bool Train)[]
        {
            ("train step, channels-last (the library's)", true, true),
            ("train step, NCHW", false, true),
            ("forward only, channels-last, inference mode", true, false),
            ("forward only, NCHW, inference mode", false, false),
        };
        var times = configurations.Select(_ => new List<double>()).ToArray();
        using var model = new ConvAutoencoder(seed: 1);
        using var optimizer = Ops.AdamOptimizer(model.parameters());
        using var clean = rand(batch, 28, 28, 1, generator: new Generator(1));

        double Step(bool channelsLast, bool train)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            var x = channelsLast ? ConvAutoencoder.ToInternal(clean) : clean.permute(0, 3, 1, 2).contiguous();
            if (train)
            {
                optimizer.zero_grad();
                var cost = Ops.cost(ConvAutoencoder.Graph(x, model.weights, model.biases), x);
                cost.backward();
                optimizer.step();
                cost.item<float>();
            }
            else
            {
                using var _ = inference_mode();
                ConvAutoencoder.Graph(x, model.weights, model.biases).sum().item<float>();
            }
            return clock.Elapsed.TotalMilliseconds;
        }

        AnsiConsole.MarkupLineInterpolated($"batch {batch}, {get_num_threads()} thread(s), allocator tuned: {NativeAllocator.IsTuned}, {rounds} round(s) × {steps} step(s) after 3 warm-up steps each");
        foreach (var c in configurations) for (var i = 0; i < 3; i++) Step(c.ChannelsLast, c.Train);
        for (var round = 0; round < rounds; round++)
            for (var c = 0; c < configurations.Length; c++)
                for (var i = 0; i < steps; i++)
                    times[c].Add(Step(configurations[c].ChannelsLast, configurations[c].Train));

        var table = new Table().Border(TableBorder.Rounded).AddColumns("configuration", "median ms/step", "images/s", "vs NCHW");
        for (var c = 0; c < configurations.Length; c++)
        {
            var median = Median(times[c]);
            var baseline = Median(times[configurations[c].Train ? 1 : 3]);
            table.AddRow(configurations[c].Name, median.ToString("0", CultureInfo.InvariantCulture),
                (batch * 1000 / median).ToString("0", CultureInfo.InvariantCulture), (baseline / median).ToString("0.00×", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
