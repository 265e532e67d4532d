namespace MnistDenoise.Evaluation;

/// <summary>How well one method restores the test images of one corruption.</summary>
/// <param name="Method">One of <see cref="Restoration.Methods"/>.</param>
/// <param name="Images">How many test images were scored.</param>
/// <param name="MeanPsnr">Mean over images of each image's PSNR (dB, capped at <see cref="ImageQuality.MaxPsnr"/>).</param>
/// <param name="MeanSsim">Mean over images of each image's SSIM (<see cref="Ssim"/>).</param>
/// <param name="SetPsnr">PSNR (dB) of the mean squared error over every pixel of the set, as <see cref="EvaluationResult.ReconstructedPsnr"/>.</param>
public sealed record MethodScore(string Method, int Images, double MeanPsnr, double MeanSsim, double SetPsnr);

/// <summary>How well the autoencoder and the best baseline restore the test images of one class.</summary>
/// <param name="Class">The class's name (a digit, or a Fashion-MNIST garment).</param>
/// <param name="Images">Test images of this class scored.</param>
/// <param name="CorruptedPsnr">Mean PSNR (dB) of the damaged images.</param>
/// <param name="BestBaselinePsnr">Mean PSNR (dB) of the baseline with the best mean over all classes.</param>
/// <param name="AutoencoderPsnr">Mean PSNR (dB) of the autoencoder.</param>
public sealed record ClassScore(string Class, int Images, double CorruptedPsnr, double BestBaselinePsnr, double AutoencoderPsnr);

/// <summary>A test image the autoencoder restores badly.</summary>
/// <param name="Index">Its index in the test set.</param>
/// <param name="Class">Its class's name.</param>
/// <param name="AutoencoderPsnr">The autoencoder's PSNR on it (dB).</param>
/// <param name="BestBaselinePsnr">The best baseline's PSNR on it (dB).</param>
public sealed record WorstImage(int Index, string Class, double AutoencoderPsnr, double BestBaselinePsnr);

/// <summary>One row group of the results table: a network trained for one corruption on one dataset, scored beside the baselines.</summary>
/// <param name="Dataset">The dataset's name, e.g. MNIST.</param>
/// <param name="Corruption">The corruption's canonical spec.</param>
/// <param name="Steps">Training steps taken.</param>
/// <param name="FinalEpochLoss">Mean training loss of the last epoch.</param>
/// <param name="TrainSeconds">Training wall time.</param>
/// <param name="Scores">One score per method, in the order of <see cref="Restoration.MethodsFor"/>.</param>
public sealed record CorruptionResult(
    string Dataset, string Corruption, int Steps, double FinalEpochLoss, double TrainSeconds, IReadOnlyList<MethodScore> Scores)
{
    /// <summary>The autoencoder's score.</summary>
    public MethodScore Autoencoder => Scores.Single(s => s.Method == Restoration.AutoencoderMethod);

    /// <summary>The baselines' scores (everything but the autoencoder).</summary>
    public IEnumerable<MethodScore> BaselineScores => Scores.Where(s => s.Method != Restoration.AutoencoderMethod);

    /// <summary>Autoencoder minus the best baseline, in mean PSNR (dB) and mean SSIM: positive where the network wins.</summary>
    public (double Psnr, double Ssim) Margin =>
        (Autoencoder.MeanPsnr - BaselineScores.Max(s => s.MeanPsnr), Autoencoder.MeanSsim - BaselineScores.Max(s => s.MeanSsim));

    /// <summary>Per class of the test images: the autoencoder against the damaged input and the best baseline (empty when not computed).</summary>
    public IReadOnlyList<ClassScore> PerClass { get; init; } = [];

    /// <summary>The test images the autoencoder restores worst, worst first (empty when not computed).</summary>
    public IReadOnlyList<WorstImage> Worst { get; init; } = [];
}

/// <summary>
/// Every method's scores on one corruption, with what the per-class view and the pictures need: each image's PSNR per
/// method, the labels, and the damaged images themselves (so a picture shows exactly the damage that was scored).
/// </summary>
/// <param name="Scores">One score per method, in the order of <see cref="Restoration.MethodsFor"/>.</param>
/// <param name="PerImagePsnr">Each scored image's PSNR (dB), per method.</param>
/// <param name="Labels">The scored images' labels.</param>
/// <param name="Damaged">The damaged images, 784 values each, in test-set order.</param>
public sealed record RestorationScores(
    IReadOnlyList<MethodScore> Scores, IReadOnlyDictionary<string, double[]> PerImagePsnr, byte[] Labels, float[] Damaged)
{
    /// <summary>The baseline with the best mean PSNR.</summary>
    public string BestBaseline => Scores.Where(s => s.Method != Restoration.AutoencoderMethod).MaxBy(s => s.MeanPsnr)!.Method;

    /// <summary>Mean PSNR per class of the damaged input, the best baseline and the autoencoder.</summary>
    public IReadOnlyList<ClassScore> PerClass(IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var best = BestBaseline;
        return [.. Enumerable.Range(0, classNames.Count).Select(c =>
        {
            var members = Enumerable.Range(0, Labels.Length).Where(i => Labels[i] == c).ToArray();
            double Mean(string method) => members.Length == 0 ? double.NaN : members.Average(i => PerImagePsnr[method][i]);
            return new ClassScore(classNames[c], members.Length, Mean(Restoration.CorruptedMethod), Mean(best), Mean(Restoration.AutoencoderMethod));
        })];
    }

    /// <summary>The <paramref name="count"/> images with the autoencoder's lowest PSNR, worst first.</summary>
    public IReadOnlyList<WorstImage> Worst(IReadOnlyList<string> classNames, int count = 10)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var ae = PerImagePsnr[Restoration.AutoencoderMethod];
        var best = PerImagePsnr[BestBaseline];
        return [.. Enumerable.Range(0, ae.Length).OrderBy(i => ae[i]).ThenBy(i => i).Take(count)
            .Select(i => new WorstImage(i, classNames[Labels[i]], ae[i], best[i]))];
    }
}
