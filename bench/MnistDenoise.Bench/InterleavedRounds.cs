using MnistDenoise.Data;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Bench;

/// <summary>What the rounds measured in this process: the best ceilings and every configuration's step times.</summary>
/// <param name="Ceilings">Every ceiling measured, one set per round.</param>
/// <param name="Configs">The configurations, the library's default first.</param>
/// <param name="Times">Milliseconds of every timed step, per configuration.</param>
/// <param name="Trainer">Milliseconds per step of the library's <see cref="Trainer"/> (the command line's path).</param>
internal sealed record RoundResults(List<Ceiling> Ceilings, List<StepConfig> Configs, Dictionary<StepConfig, List<double>> Times, List<double> Trainer);

/// <summary>
/// The limits and the training step in one process, interleaved: every round measures the ceilings, then every
/// configuration in turn, then the <see cref="Trainer"/>, so that a noisy machine slows them all alike.
/// </summary>
internal static class InterleavedRounds
{
    public static RoundResults Measure(BenchSettings s, bool bf16)
    {
        var ceilings = new List<Ceiling>();
        var configs = StepConfig.All(s.Threads, bf16);
        var times = configs.ToDictionary(c => c, _ => new List<double>());
        var trainer = new List<double>();
        var mnist = Mnist.ReadDataSets(s.MnistFolder, reshape: false);
        using (var bench = new StepBench(s.Batch))
        {
            foreach (var c in configs)
                for (var i = 0; i < BenchSettings.Warmup; i++) bench.Step(c);
            for (var round = 0; round < s.Rounds; round++)
            {
                Progress.Step($"round {round + 1}/{s.Rounds}");
                ceilings.AddRange(Ceiling.Measure(s.Threads, bf16));
                foreach (var c in configs)
                    for (var i = 0; i < s.Steps; i++) times[c].Add(bench.Step(c));
                set_num_threads(s.Threads);
                trainer.AddRange(StepTimer.TrainerSteps(mnist.Train, new TrainingOptions { BatchSize = s.Batch, Threads = s.Threads }, BenchSettings.Warmup, s.Steps));
            }
        }
        set_num_threads(s.Threads);
        return new RoundResults(ceilings, configs, times, trainer);
    }
}
