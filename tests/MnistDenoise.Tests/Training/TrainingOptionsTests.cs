using MnistDenoise.Training;

namespace MnistDenoise.Tests.Training;

public class TrainingOptionsTests
{
    [Fact]
    public void Defaults_are_the_tutorials()
    {
        var o = new TrainingOptions();
        Assert.Equal((2, 200, 0.001, 0.5, "cpu"), (o.Epochs, o.BatchSize, o.LearningRate, o.NoiseFactor, o.Device));
        o.Validate(55_000);
    }

    public static TheoryData<TrainingOptions, string> Absurd => new()
    {
        { new TrainingOptions { Epochs = 0 }, "Epochs" },
        { new TrainingOptions { BatchSize = -5 }, "BatchSize" },
        { new TrainingOptions { LearningRate = double.NaN }, "LearningRate" },
        { new TrainingOptions { LearningRate = 50 }, "LearningRate" },
        { new TrainingOptions { NoiseFactor = -0.1 }, "NoiseFactor" },
        { new TrainingOptions { Threads = 0 }, "Threads" },
        { new TrainingOptions { TrainSize = 0 }, "TrainSize" },
        { new TrainingOptions { TrainSize = 100, BatchSize = 200 }, "BatchSize" },
        { new TrainingOptions { LearningRate = 1e-9 }, "LearningRate" },
        { new TrainingOptions { NoiseFactor = double.PositiveInfinity }, "NoiseFactor" },
        { new TrainingOptions { Epochs = 1001 }, "Epochs" },
        { new TrainingOptions { Threads = 5000 }, "Threads" },
        { new TrainingOptions { Device = "tpu" }, "Device" },
        { new TrainingOptions { Corruption = "mosaic:0" }, "Corruption" },
        { new TrainingOptions { Corruption = "blur:2" }, "Corruption" },
        { new TrainingOptions { Precision = (Precision)7 }, "Precision" },
    };

    [Fact]
    public void The_message_gives_the_valid_range_from_the_shared_limits()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { Epochs = 0 }.Validate());
        Assert.Contains($"use {TrainingLimits.Epochs.Min} to {TrainingLimits.Epochs.Max} (the tutorial uses 2)", e.Message);
        Assert.All([TrainingLimits.Epochs.Min, TrainingLimits.Epochs.Max], n => new TrainingOptions { Epochs = n }.Validate());
    }

    [Theory]
    [MemberData(nameof(Absurd))]
    public void Absurd_values_are_rejected_with_the_name_and_a_hint(TrainingOptions options, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate(55_000));
        Assert.Equal(name, e.ParamName);
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void Cuda_without_a_cuda_build_names_the_package_to_reference()
    {
        if (TorchSharp.torch.cuda.is_available()) return;
        var e = Assert.Throws<InvalidOperationException>(() => ComputeDevice.Resolve("cuda"));
        Assert.Contains(ComputeDevice.CudaPackage, e.Message);
        Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve("tpu"));
    }
}
