using System.Diagnostics;
using System.Text.Json.Nodes;
using MnistDenoise.Data;
using MnistDenoise.Evaluation;
using MnistDenoise.Runtime;
using MnistDenoise.Training;

namespace MnistDenoise.Bench;

/// <summary>Memory of a process that trains and evaluates, measured in a child of its own so the peak is that work's.</summary>
/// <param name="PeakRssMib">Peak RSS over the three trainings and the first full evaluation.</param>
/// <param name="RssAfterRunsMib">RSS after each training (a steady value means nothing piles up from run to run).</param>
/// <param name="EvalSeconds">Evaluation of the whole test set.</param>
internal sealed record MemoryUse(double PeakRssMib, List<double> RssAfterRunsMib, double EvalSeconds)
{
    /// <summary>The worker's answer; null if it was skipped.</summary>
    public static MemoryUse? From(JsonObject? json) => json is null ? null
        : new(json["peak_rss_mib"]!.GetValue<double>(), ChildProcess.Doubles(json["rss_after_runs_mib"])!, json["eval_s"]!.GetValue<double>());

    /// <summary>
    /// In the child: training plus the whole test set's evaluation, as <c>train</c> does, then two more trainings in
    /// the same process.
    /// </summary>
    public static JsonObject Measure(BenchSettings s)
    {
        var mnist = Mnist.ReadDataSets(s.MnistFolder, reshape: false);
        var options = new TrainingOptions { BatchSize = s.Batch, Threads = s.Threads, Epochs = 1, TrainSize = 20 * s.Batch };
        var after = new JsonArray();
        double evalSeconds = 0;
        for (var run = 0; run < 3; run++)
        {
            using (var model = options.CreateModel())
            using (var trainer = new Trainer(model, options))
            {
                trainer.Train(mnist.Train);
                // The first run scores the whole test set, as `train` does; the next two only enough to repeat the pattern.
                var clock = Stopwatch.StartNew();
                Evaluator.Evaluate(model, mnist.Test, options.ResolveCorruption(), limit: run == 0 ? null : 1000);
                if (run == 0) evalSeconds = clock.Elapsed.TotalSeconds;
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            after.Add(ProcessMemory.ResidentMib() ?? double.NaN);
        }
        return new JsonObject
        {
            ["peak_rss_mib"] = ProcessMemory.PeakResidentMib() ?? double.NaN,
            ["rss_after_runs_mib"] = after,
            ["eval_s"] = evalSeconds,
            ["eval_images"] = mnist.Test.NumExamples,
            ["train_steps"] = 20,
        };
    }
}
