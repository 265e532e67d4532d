using MnistDenoise.Evaluation;

namespace MnistDenoise.Tests.Evaluation;

public class ResultsTableTests
{
    private static CorruptionResult Result(string dataset, string corruption, double autoencoderPsnr, double autoencoderSsim) =>
        new(dataset, corruption, 10, 0.1, 1,
        [
            new(Restoration.CorruptedMethod, 100, 10, 0.40, 10),
            new(Restoration.MedianMethod, 100, 14, 0.55, 14),
            new(Restoration.BlurMethod, 100, 12, 0.60, 12),
            new(Restoration.AutoencoderMethod, 100, autoencoderPsnr, autoencoderSsim, autoencoderPsnr),
        ]);

    [Fact]
    public void Has_a_column_pair_per_dataset_bolds_the_best_and_shows_the_margin_over_the_best_baseline()
    {
        var md = ResultsTable.Markdown([Result("MNIST", "mosaic:4", 16, 0.5), Result("Fashion-MNIST", "mosaic:4", 13.5, 0.7)]);
        var lines = md.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| corruption | method | MNIST PSNR (dB) | MNIST SSIM | Fashion-MNIST PSNR (dB) | Fashion-MNIST SSIM |", lines[0]);
        Assert.Equal(2 + 4 + 1, lines.Length);
        Assert.Equal("| `mosaic:4` | corrupted input | 10.00 | 0.400 | 10.00 | 0.400 |", lines[2]);
        Assert.Equal("|  | median 3×3 | 14.00 | 0.550 | **14.00** | 0.550 |", lines[3]);
        Assert.Equal("|  | autoencoder | **16.00** | 0.500 | 13.50 | **0.700** |", lines[5]);
        // MNIST: +2 dB over the median, −0.1 SSIM under the blur; Fashion: −0.5 dB, +0.1.
        Assert.Equal("| | *autoencoder − best baseline* | *+2.00* | *−0.100* | *−0.50* | *+0.100* |", lines[6]);
    }

    [Fact]
    public void A_corruption_missing_for_one_dataset_gets_dashes() =>
        Assert.Contains("| `occlusion:8x8` | corrupted input | 10.00 | 0.400 | – | – |",
            ResultsTable.Markdown([Result("MNIST", "occlusion:8x8", 1, 0), Result("Fashion-MNIST", "mosaic:4", 1, 0)]));
}
