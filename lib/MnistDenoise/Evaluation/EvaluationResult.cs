namespace MnistDenoise.Evaluation;

/// <summary>Quality of the denoiser on a set of images.</summary>
/// <param name="Images">How many images were scored.</param>
/// <param name="NoisyPsnr">PSNR (dB) of the noisy inputs against the clean images: the baseline to beat.</param>
/// <param name="ReconstructedPsnr">PSNR (dB) of the reconstructions against the clean images.</param>
/// <param name="Loss">The tutorial's cost (mean sigmoid cross-entropy) on these images.</param>
/// <remarks>
/// Both PSNRs come from the mean squared error over every pixel of the set ("set PSNR"); the init-only properties add
/// the mean over images of each image's own PSNR and SSIM.
/// </remarks>
public sealed record EvaluationResult(int Images, double NoisyPsnr, double ReconstructedPsnr, double Loss)
{
    /// <summary>The corruption's spec, e.g. <c>gaussian:0.5</c>.</summary>
    public string Corruption { get; init; } = "";

    /// <summary>Mean over images of each corrupted input's PSNR (dB, capped at <see cref="ImageQuality.MaxPsnr"/>).</summary>
    public double NoisyMeanPsnr { get; init; } = double.NaN;

    /// <summary>Mean over images of each reconstruction's PSNR (dB, capped at <see cref="ImageQuality.MaxPsnr"/>).</summary>
    public double ReconstructedMeanPsnr { get; init; } = double.NaN;

    /// <summary>Mean over images of each corrupted input's SSIM (<see cref="Ssim"/>).</summary>
    public double NoisySsim { get; init; } = double.NaN;

    /// <summary>Mean over images of each reconstruction's SSIM (<see cref="Ssim"/>).</summary>
    public double ReconstructedSsim { get; init; } = double.NaN;
}
