using System.Text.Json;
using System.Text.Json.Serialization;
using MnistDenoise.Evaluation;
using MnistDenoise.Runtime;
using MnistDenoise.Training;

namespace MnistDenoise.Cli;

/// <summary>metrics.json: what a run was asked to do and what it measured.</summary>
internal sealed record RunMetrics(
    int Epochs, int BatchSize, double LearningRate, double NoiseFactor, string Init, int Seed, int? TrainSize,
    string Device, int Threads, int Steps, bool Cancelled,
    IReadOnlyList<double> EpochLosses, double TrainSeconds, double MsPerStep,
    int TestImages, double TestLoss, double TestPsnrNoisy, double TestPsnrReconstructed,
    double[] PicturedPsnrNoisy, double[] PicturedPsnrReconstructed, double WallSeconds,
    string Precision = "fp32", double? PeakRssMib = null,
    string Corruption = "", double TestMeanImagePsnrNoisy = double.NaN, double TestMeanImagePsnrReconstructed = double.NaN,
    double TestSsimNoisy = double.NaN, double TestSsimReconstructed = double.NaN, string Graph = "",
    string Schedule = "constant", string Loss = "xent")
{
    /// <summary>SHA-256 of the checkpoint file these metrics belong to (the autoencoder.weights beside them).</summary>
    public string? CheckpointSha256 { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static RunMetrics From(TrainingOptions o, TrainingResult r, EvaluationResult e, Reconstructions pictured, TimeSpan wall) => new(
        o.Epochs, o.BatchSize, o.LearningRate, o.NoiseFactor, Choices.Init.NameOf(o.Init), o.Seed, o.TrainSize,
        o.Device, TorchSharp.torch.get_num_threads(), r.StepLosses.Count, r.Cancelled,
        r.EpochLosses, r.Elapsed.TotalSeconds, r.MillisecondsPerStep,
        e.Images, e.Loss, e.NoisyPsnr, e.ReconstructedPsnr,
        pictured.NoisyPsnr, pictured.ReconstructedPsnr, wall.TotalSeconds,
        Choices.Precision.NameOf(o.Precision), ProcessMemory.PeakResidentMib(),
        e.Corruption, e.NoisyMeanPsnr, e.ReconstructedMeanPsnr, e.NoisySsim, e.ReconstructedSsim, o.Graph.ToString().ToLowerInvariant(),
        Choices.Schedule.NameOf(o.Schedule), Choices.Loss.NameOf(o.Loss));

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}
