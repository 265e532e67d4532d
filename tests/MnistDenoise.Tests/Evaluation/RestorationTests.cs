using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Evaluation;
using MnistDenoise.Model;
using MnistDenoise.Training;

namespace MnistDenoise.Tests.Evaluation;

public class RestorationTests
{
    [Fact]
    public void Scores_every_method_on_the_same_damaged_images_whatever_the_batching()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var corruption = Corruptions.Parse("saltpepper:0.1");
        var a = Restoration.Score(model, SharedMnist.Test, corruption, limit: 90, batchSize: 40);
        var b = Restoration.Score(model, SharedMnist.Test, corruption, limit: 90, batchSize: 90);
        Assert.Equal(Restoration.Methods, a.Select(s => s.Method));
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(90, a[i].Images);
            Assert.Equal(a[i].MeanPsnr, b[i].MeanPsnr, 4);
            Assert.Equal(a[i].MeanSsim, b[i].MeanSsim, 6);
        }
        var corrupted = a.Single(s => s.Method == Restoration.CorruptedMethod);
        var median = a.Single(s => s.Method == Restoration.MedianMethod);
        Assert.True(median.MeanPsnr > corrupted.MeanPsnr && median.MeanSsim > corrupted.MeanSsim, "the median filter is made for salt and pepper");

        // The corrupted-input row is what Evaluator reports for the same seed.
        var evaluation = Evaluator.Evaluate(model, SharedMnist.Test, corruption, limit: 90);
        Assert.Equal(evaluation.NoisyMeanPsnr, corrupted.MeanPsnr, 6);
        Assert.Equal(evaluation.NoisySsim, corrupted.MeanSsim, 6);
        Assert.Equal(evaluation.NoisyPsnr, corrupted.SetPsnr, 4);
        Assert.Equal(evaluation.ReconstructedSsim, a[^1].MeanSsim, 5);
    }

    [Fact]
    public void Samples_have_a_row_per_method_and_the_original()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var rows = Restoration.Samples(model, SharedMnist.Test, Corruptions.Parse("mosaic:4"), count: 6);
        Assert.Equal(Restoration.AllMethods.Count + 1, rows.Count);   // mosaic adds the bicubic baseline
        Assert.All(rows, r => Assert.Equal(6, r.Count));
        Assert.Equal(SharedMnist.Test.Image(2).ToArray(), rows[^1][2]);
        var png = Restoration.SamplesPng(model, SharedMnist.Test, Corruptions.Parse("mosaic:4"), count: 6);
        Assert.Equal(0x89, png[0]);
    }

    [Fact]
    public void A_short_training_run_for_mosaic_trains_on_mosaic_and_reports_steps_loss_and_margin()
    {
        var data = new DataSets(SharedMnist.Train.Take(400), SharedMnist.Train.Take(1), SharedMnist.Test);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 50, TrainSize = 400, Threads = 2 };
        var (result, model) = Restoration.TrainAndScore("MNIST", data, Corruptions.Parse("mosaic:4"), options, evalSize: 100);
        using var _ = model;
        Assert.Equal("mosaic:4", result.Corruption);
        Assert.Equal(8, result.Steps);
        Assert.True(double.IsFinite(result.FinalEpochLoss));
        Assert.Equal(result.Autoencoder.MeanPsnr - result.BaselineScores.Max(s => s.MeanPsnr), result.Margin.Psnr, 9);
    }
}
