namespace MnistDenoise.Evaluation;

/// <summary>Quality of the denoiser on a set of images.</summary>
/// <param name="Images">How many images were scored.</param>
/// <param name="NoisyPsnr">PSNR (dB) of the noisy inputs against the clean images: the baseline to beat.</param>
/// <param name="ReconstructedPsnr">PSNR (dB) of the reconstructions against the clean images.</param>
/// <param name="Loss">The tutorial's cost (mean sigmoid cross-entropy) on these images.</param>
/// <remarks>Both PSNRs come from the mean squared error over every pixel of the set.</remarks>
public sealed record EvaluationResult(int Images, double NoisyPsnr, double ReconstructedPsnr, double Loss);
