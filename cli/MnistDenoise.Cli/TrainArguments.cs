using System.CommandLine;
using MnistDenoise.Model;
using MnistDenoise.Training;

namespace MnistDenoise.Cli;

/// <summary>
/// train's options, and what they ask for: the <see cref="TrainingOptions"/> (an option left out takes the checkpoint's
/// value when resuming, else the recipe's with --recipe best, else the library's default), the data and the output folder.
/// </summary>
internal sealed class TrainArguments
{
    private static readonly TrainingOptions Defaults = new();

    // Ranges come from the library (TrainingLimits), so the command line and TrainingOptions.Validate agree.
    public Option<int> Epochs { get; } = new Option<int>(Flags.Epochs) { Description = "Passes over the 55,000 training images.", DefaultValueFactory = _ => Defaults.Epochs }
        .Range(TrainingLimits.Epochs);

    public Option<int> BatchSize { get; } = new Option<int>(Flags.BatchSize) { Description = "Images per step.", DefaultValueFactory = _ => Defaults.BatchSize }
        .Range(TrainingLimits.BatchSize);

    public Option<double> LearningRate { get; } = new Option<double>(Flags.LearningRate, "--lr") { Description = "Adam's learning rate.", DefaultValueFactory = _ => Defaults.LearningRate }
        .Range(TrainingLimits.LearningRate);

    public Option<WeightInit> Init { get; } = Choices.Init.Option(Flags.Init,
        "Initial weights: 'default' (PyTorch's conv init; trains), 'glorot' (TensorFlow's default variable init: Glorot-uniform, zero biases) or 'tutorial' (the post's N(0,1); diverges, see README).");

    public Option<int> Seed { get; } = new(Flags.Seed) { Description = "Seed for weights, batch order and noise.", DefaultValueFactory = _ => Defaults.Seed };

    public Option<int?> TrainSize { get; } = new Option<int?>(Flags.TrainSize) { Description = "Use only the first N training images (default: all)." }
        .Range(TrainingLimits.TrainSize);

    public Option<int?> EvalSize { get; } = SharedOptions.EvalSize();
    public Option<double> Noise { get; } = SharedOptions.Noise();
    public Option<int?> Threads { get; } = SharedOptions.Threads();
    public Option<string> Device { get; } = SharedOptions.Device();
    public Option<DirectoryInfo> Data { get; } = SharedOptions.DataDirectory();
    public Option<string> Dataset { get; } = SharedOptions.Dataset();
    public Option<string[]> Mirrors { get; } = SharedOptions.Mirrors();
    public Option<DirectoryInfo> Output { get; } = SharedOptions.OutputDirectory();
    public Option<int> Images { get; } = SharedOptions.Images();
    public Option<string?> Corruption { get; } = SharedOptions.Corruption();
    public Option<GraphForm> Graph { get; } = SharedOptions.Graph();

    public Option<Precision> Precision { get; } = Choices.Precision.Option(Flags.Precision,
        "fp32 (default) or bf16: mixed precision with fp32 master weights, for CPUs with bf16 instructions (see docs/performance.md).");

    public Option<FileInfo> Resume { get; } = new Option<FileInfo>("--resume")
    {
        Description = "Continue the run saved in this checkpoint (written by train when it stops, is interrupted or finishes) " +
                      "at its next step. Options not given are taken from the checkpoint; --epochs may be raised to train longer.",
    }.ExistingCheckpoint("Pass the autoencoder.weights that an earlier train wrote.");

    public Option<LearningRateSchedule> Schedule { get; } = Choices.Schedule.Option(Flags.Schedule,
        "Learning-rate schedule: 'constant' (the tutorial's), 'warmup-cosine' (5% linear warm-up, cosine to 0) or 'one-cycle' (PyTorch's OneCycleLR defaults); each peaks at --lr.");

    public Option<ReconstructionLoss> Loss { get; } = Choices.Loss.Option(Flags.Loss,
        "What training minimises: 'xent' (the tutorial's sigmoid cross-entropy), 'mse' (squared error of the image, what PSNR scores) or 'l1'.");

    public Option<TrainRecipe> Recipe { get; } = Choices.Recipe.Option("--recipe",
        "'tutorial' (default: the post's settings) or 'best': the batch size, learning rate, init, schedule and loss that " +
        "docs/recipe.md's sweep found best in the same budget (2 epochs of 55,000 images). Options given explicitly override the recipe's.");

    /// <summary>Every option, in the order the help lists them.</summary>
    public IEnumerable<Option> All =>
    [
        Epochs, BatchSize, LearningRate, Noise, Init, Seed, TrainSize, EvalSize, Threads, Device, Data, Dataset, Mirrors, Output, Images,
        Resume, Precision, Corruption, Graph, Schedule, Loss, Recipe,
    ];

    /// <summary>The training asked for; <paramref name="saved"/>: the options of the checkpoint being resumed.</summary>
    public TrainingOptions Training(ParseResult parse, TrainingOptions? saved)
    {
        var basis = saved ?? (parse.GetValue(Recipe) == TrainRecipe.Best ? TrainingOptions.BestRecipe(Defaults) : Defaults);
        T Pick<T>(Option<T> option, Func<TrainingOptions, T> fromBasis) =>
            parse.GetResult(option) is null or { Implicit: true } ? fromBasis(basis) : parse.GetValue(option)!;
        return new TrainingOptions
        {
            Epochs = Pick(Epochs, o => o.Epochs),
            BatchSize = Pick(BatchSize, o => o.BatchSize),
            LearningRate = Pick(LearningRate, o => o.LearningRate),
            NoiseFactor = Pick(Noise, o => o.NoiseFactor),
            Init = Pick(Init, o => o.Init),
            Seed = Pick(Seed, o => o.Seed),
            Threads = Pick(Threads, o => o.Threads),
            Device = Pick(Device, o => o.Device),
            TrainSize = Pick(TrainSize, o => o.TrainSize),
            Corruption = Pick(Corruption, o => o.Corruption),
            Precision = Pick(Precision, o => o.Precision),
            Graph = Pick(Graph, o => o.Graph),
            Schedule = Pick(Schedule, o => o.Schedule),
            Loss = Pick(Loss, o => o.Loss),
        };
    }

    /// <summary>
    /// Where the run writes: -o, else beside the checkpoint being resumed (the default ./out may hold another run's
    /// model), else ./out.
    /// </summary>
    public DirectoryInfo OutputFolder(ParseResult parse, FileInfo? resume) =>
        resume is not null && parse.GetResult(Output) is null or { Implicit: true } ? resume.Directory! : parse.GetValue(Output)!;
}
