using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Evaluation;
using MnistDenoise.Model;
using SkiaSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Evaluation;

public class BicubicAndFiguresTests
{
    private static Tensor Digits(int count = 64) => tensor(SharedMnist.Test.Images[..(count * 784)], [count, 28, 28, 1]);

    [Fact]
    public void Bicubic_of_block_means_keeps_a_flat_image_and_block_1_is_the_identity()
    {
        using var flat = full(2, 28, 28, 1, 0.3f);
        using var restored = Baselines.BicubicFromBlocks(flat, 4);
        Assert.Equal(flat.shape, restored.shape);
        Assert.True((restored - flat).abs().max().item<float>() < 1e-6f);
        using var digits = Digits(4);
        using var same = Baselines.BicubicFromBlocks(digits, 1);
        Assert.True((same - digits).abs().max().item<float>() < 1e-6f);
    }

    [Theory]
    [InlineData(4, 0.2)]
    [InlineData(7, 0.05)]   // a 4×4 grid of means: little left to interpolate between
    [InlineData(3, 0.2)]    // 28 is not a multiple of 3: the edge blocks are partial
    public void Bicubic_of_block_means_restores_a_mosaic_better_than_the_mosaic_itself_and_stays_in_range(int block, double gain)
    {
        using var clean = Digits();
        using var mosaic = new Mosaic(block).Apply(clean);
        using var restored = Baselines.BicubicFromBlocks(mosaic, block);
        Assert.Equal(clean.shape, restored.shape);
        Assert.True(restored.min().item<float>() >= 0 && restored.max().item<float>() <= 1);
        var before = ImageQuality.PsnrPerImage(mosaic, clean).mean().item<double>();
        var after = ImageQuality.PsnrPerImage(restored, clean).mean().item<double>();
        Assert.True(after > before + gain, $"bicubic of {block}×{block} means: {before:0.00} → {after:0.00} dB");
    }

    [Fact]
    public void Only_corruptions_with_a_mosaic_get_the_bicubic_baseline_with_their_block()
    {
        Assert.Equal(Restoration.Methods, Restoration.MethodsFor(Corruptions.Parse("gaussian:0.5")));
        Assert.Equal(Restoration.AllMethods, Restoration.MethodsFor(Corruptions.Parse("mosaic:4")));
        Assert.Equal(2, Restoration.MosaicBlock(Corruptions.Parse("mosaic:2+gaussian:0.3")));
        Assert.Equal(7, Restoration.MosaicBlock(Corruptions.Parse("saltpepper:0.1+mosaic:7")));
        Assert.Null(Restoration.MosaicBlock(Corruptions.Parse("occlusion:10x10")));
    }

    [Fact]
    public void Labelled_picture_draws_the_labels_left_of_the_grid()
    {
        IReadOnlyList<IReadOnlyList<float[]>> rows = [[new float[784], new float[784]], [new float[784], new float[784]]];
        var plain = SKBitmap.Decode(ImageGrid.ToPng(rows));
        using var labelled = SKBitmap.Decode(ImageGrid.ToLabelledPng(rows, ["autoencoder", "original"], ["7 12.0", "2 9.5"]));
        Assert.True(labelled.Width > plain.Width + 50, $"{labelled.Width} vs {plain.Width}");
        Assert.True(labelled.Height > plain.Height);
        // The label column is white except where text was drawn: some dark pixels must be there.
        var dark = 0;
        for (var y = 0; y < plain.Height; y++)
            for (var x = 0; x < labelled.Width - plain.Width; x++)
                if (labelled.GetPixel(x, y).Red < 128) dark++;
        Assert.True(dark > 50, $"only {dark} dark pixels where the labels should be");
        Assert.Throws<ArgumentException>(() => ImageGrid.ToLabelledPng(rows, ["one label for two rows"]));
    }

    [Fact]
    public void Detailed_scores_keep_every_image_the_classes_and_the_worst_images_with_the_damage_that_was_scored()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var mosaic = Corruptions.Parse("mosaic:2+gaussian:0.3");
        var scores = Restoration.ScoreInDetail(model, SharedMnist.Test, mosaic, limit: 120, batchSize: 50);
        Assert.Equal(Restoration.AllMethods, scores.Scores.Select(s => s.Method));
        foreach (var s in scores.Scores)
            Assert.Equal(s.MeanPsnr, scores.PerImagePsnr[s.Method].Average(), 9);
        Assert.Equal(SharedMnist.Test.Labels[..120], scores.Labels);

        var perClass = scores.PerClass(DatasetSpec.Mnist.ClassNames);
        Assert.Equal(10, perClass.Count);
        Assert.Equal(120, perClass.Sum(c => c.Images));
        var autoencoderMean = perClass.Sum(c => c.AutoencoderPsnr * c.Images) / 120;
        Assert.Equal(scores.Scores.Single(s => s.Method == Restoration.AutoencoderMethod).MeanPsnr, autoencoderMean, 6);

        var worst = scores.Worst(DatasetSpec.Mnist.ClassNames, 5);
        Assert.Equal(5, worst.Count);
        Assert.True(worst.Zip(worst.Skip(1)).All(p => p.First.AutoencoderPsnr <= p.Second.AutoencoderPsnr));
        Assert.Equal(scores.PerImagePsnr[Restoration.AutoencoderMethod].Min(), worst[0].AutoencoderPsnr);
        Assert.Equal(DatasetSpec.Mnist.ClassNames[SharedMnist.Test.Labels[worst[0].Index]], worst[0].Class);

        // The stored damage is the damage the first images get in the sample picture (same seed, same order).
        var samples = Restoration.Samples(model, SharedMnist.Test, mosaic, count: 3);
        for (var i = 0; i < 3; i++)
            Assert.Equal(samples[0][i], scores.Damaged.AsSpan(i * 784, 784).ToArray());

        using var png = SKBitmap.Decode(Restoration.WorstPng(model, SharedMnist.Test, mosaic, scores, worst));
        Assert.NotNull(png);
        Assert.True(png.Height > 4 * 28 * 3);
    }

    [Fact]
    public void Fashion_mnist_names_its_classes()
    {
        Assert.Equal("Ankle boot", DatasetSpec.FashionMnist.ClassNames[9]);
        Assert.Equal("9", DatasetSpec.Mnist.ClassNames[9]);
    }
}
