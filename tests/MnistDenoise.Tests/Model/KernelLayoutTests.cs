using MnistDenoise.Model;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Model;

public class KernelLayoutTests
{
    // Channels-last strides of an [out, in, h, w] kernel: (h·w·in, 1, w·in, in).
    private static long[] ChannelsLastStrides(Tensor oihw) =>
        [oihw.shape[1] * oihw.shape[2] * oihw.shape[3], 1, oihw.shape[3] * oihw.shape[1], oihw.shape[1]];

    [Fact]
    public void Kernels_keep_the_tutorials_shape_and_are_channels_last_kernels_once_permuted()
    {
        using var model = new ConvAutoencoder(seed: 1);
        foreach (var (key, shape) in ConvAutoencoder.WeightShapes)
        {
            var w = model.weights[key];
            Assert.Equal(shape, w.shape);
            using var oihw = w.permute(3, 2, 0, 1);
            Assert.Equal(ChannelsLastStrides(oihw), oihw.stride());
        }
    }

    [Fact]
    public void The_layout_changes_no_value_drawn_for_the_kernels()
    {
        // The same seed drawn straight into the TF shape (row-major), as the model did before its layout changed;
        // all kernels are drawn before any bias.
        using var model = new ConvAutoencoder(WeightInit.Tutorial, seed: 9);
        using var generator = new Generator(9);
        foreach (var (key, shape) in ConvAutoencoder.WeightShapes)
        {
            using var expected = randn(shape, generator: generator);
            Assert.True(expected.allclose(model.weights[key], rtol: 0, atol: 0), key);
        }
    }

    [Fact]
    public void Training_keeps_the_layout_and_matches_a_row_major_copy_of_the_model()
    {
        var options = new TrainingOptions { TrainSize = 40, BatchSize = 20, Epochs = 1, Seed = 3 };
        using var fast = options.CreateModel();
        using var plain = options.CreateModel();
        using (no_grad())
            foreach (var (key, _) in ConvAutoencoder.WeightShapes)
                plain.weights[key] = new TorchSharp.Modules.Parameter(plain.weights[key].contiguous());
        Assert.True(plain.weights["conv2"].is_contiguous());
        Assert.False(fast.weights["conv2"].is_contiguous());

        using (var a = new Trainer(fast, options)) a.Train(SharedMnist.Train);
        using (var b = new Trainer(plain, options)) b.Train(SharedMnist.Train);

        foreach (var (key, _) in ConvAutoencoder.WeightShapes)
        {
            using var oihw = fast.weights[key].permute(3, 2, 0, 1);
            Assert.Equal(ChannelsLastStrides(oihw), oihw.stride());
            Assert.True(fast.weights[key].allclose(plain.weights[key], rtol: 1e-4, atol: 1e-5), key);
        }
    }

    [Fact]
    public void TorchSharps_own_save_and_load_work_and_keep_the_parameter_objects()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "m.weights");
        using var saved = new ConvAutoencoder(seed: 1);
        saved.save(path);
        using var loaded = new ConvAutoencoder(seed: 2);
        var conv2 = loaded.weights["conv2"];
        loaded.load(path);

        Assert.Same(conv2, loaded.weights["conv2"]);
        foreach (var (key, _) in ConvAutoencoder.WeightShapes)
        {
            Assert.True(saved.weights[key].allclose(loaded.weights[key], rtol: 0, atol: 0), key);
            using var oihw = loaded.weights[key].permute(3, 2, 0, 1);
            Assert.Equal(ChannelsLastStrides(oihw), oihw.stride());
        }
        using var reread = new ConvAutoencoder(seed: 3);
        Checkpoint.Load(reread, path);
        Assert.True(saved.weights["output"].allclose(reread.weights["output"], rtol: 0, atol: 0));
    }
}
