namespace MnistDenoise.Evaluation;

/// <summary>A few test images with their noisy and reconstructed versions, each image 784 values in [0, 1].</summary>
/// <param name="Indices">Index of each image in the test set.</param>
/// <param name="Noisy">The corrupted inputs.</param>
/// <param name="Reconstructed">The autoencoder's outputs (sigmoid of the logits).</param>
/// <param name="Original">The clean images.</param>
public sealed record Reconstructions(int[] Indices, float[][] Noisy, float[][] Reconstructed, float[][] Original)
{
    /// <summary>Number of images.</summary>
    public int Count => Indices.Length;

    /// <summary>PSNR (dB) of each noisy input against its original.</summary>
    public double[] NoisyPsnr => Noisy.Zip(Original, (n, o) => Psnr.Between(n, o)).ToArray();

    /// <summary>PSNR (dB) of each reconstruction against its original.</summary>
    public double[] ReconstructedPsnr => Reconstructed.Zip(Original, (r, o) => Psnr.Between(r, o)).ToArray();
}
