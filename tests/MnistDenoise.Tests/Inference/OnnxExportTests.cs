using Microsoft.ML.OnnxRuntime;
using MnistDenoise.Corruption;
using MnistDenoise.Inference;
using MnistDenoise.Model;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Inference;

public class OnnxExportTests
{
    // 100 noisy test images (σ 0.5, fixed seed), NHWC, as the network sees them.
    private static float[] NoisyTestImages(int count)
    {
        using var scope = NewDisposeScope();
        var clean = tensor(SharedMnist.Test.Images.AsSpan(0, count * 784).ToArray(), [count, 28, 28, 1]);
        using var generator = new Generator(7);
        return GaussianNoise.Apply(clean, 0.5, generator).contiguous().data<float>().ToArray();
    }

    [Fact]
    public void Onnx_runtime_matches_torchsharp_on_100_test_images_within_1e_5()
    {
        const int count = 100;
        var images = NoisyTestImages(count);
        using var model = TrainedModel.Load();
        float[] expected;
        using (var scope = NewDisposeScope())
            expected = model.Reconstruct(tensor(images, [count, 28, 28, 1])).contiguous().data<float>().ToArray();

        using var onnx = OnnxEngine.FromBytes(OnnxExport.ToBytes(model));
        var actual = onnx.Reconstruct(images, count);

        Assert.Equal(expected.Length, actual.Length);
        var maxDiff = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(maxDiff <= 1e-5, $"max abs difference {maxDiff:E2} > 1e-5");
        // The comparison means something only if the outputs are pictures, not a constant.
        var mean = expected.Average();
        var spread = Math.Sqrt(expected.Average(v => (v - mean) * (v - mean)));
        Assert.True(spread > 0.1, $"outputs hardly vary (std {spread:0.000}); the model is not trained");
    }

    [Fact]
    public void The_graph_has_the_tutorials_interface_and_returns_logits_second()
    {
        using var model = TrainedModel.Load();
        using var session = new InferenceSession(OnnxExport.ToBytes(model));

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal(OnnxExport.InputName, input.Key);
        Assert.Equal([-1, 28, 28, 1], input.Value.Dimensions);
        Assert.Equal(typeof(float), input.Value.ElementType);
        Assert.Equal([OnnxExport.OutputName, OnnxExport.LogitsName], session.OutputNames);

        var images = NoisyTestImages(3);
        using var value = OrtValue.CreateTensorValueFromMemory(images, [3, 28, 28, 1]);
        using var options = new RunOptions();
        using var outputs = session.Run(options, [OnnxExport.InputName], [value], session.OutputNames);
        Assert.Equal([3L, 28, 28, 1], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.Equal([3L, 28, 28, 1], outputs[1].GetTensorTypeAndShape().Shape);
        var reconstruction = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var logits = outputs[1].GetTensorDataAsSpan<float>().ToArray();
        for (var i = 0; i < logits.Length; i++)
            Assert.Equal(1 / (1 + Math.Exp(-logits[i])), reconstruction[i], 1e-6);
    }

    [Fact]
    public void The_numbers_come_from_the_models_weights_and_biases()
    {
        using var model = TrainedModel.Load();
        var images = NoisyTestImages(5);
        using var before = OnnxEngine.FromBytes(OnnxExport.ToBytes(model));
        var a = before.Reconstruct(images, 5);

        using (no_grad())
            model.biases["b_output"].add_(3.0f); // every logit rises by 3
        using var after = OnnxEngine.FromBytes(OnnxExport.ToBytes(model));
        var b = after.Reconstruct(images, 5);
        float[] expected;
        using (var scope = NewDisposeScope())
            expected = model.Reconstruct(tensor(images, [5, 28, 28, 1])).contiguous().data<float>().ToArray();

        Assert.True(b.Zip(a, (x, y) => x - y).Average() > 0.05, "raising the output bias must brighten the ONNX output");
        Assert.True(b.Zip(expected, (x, y) => Math.Abs(x - y)).Max() <= 1e-5);
    }

    [Fact]
    public void Export_writes_the_file_atomically_and_it_loads_from_disk()
    {
        using var temp = new TestPaths.TempDirectory();
        using var model = TrainedModel.Load();
        var path = Path.Combine(temp.Path, "sub", "model.onnx");
        OnnxExport.Save(model, path);
        Assert.Equal([path], Directory.GetFiles(Path.Combine(temp.Path, "sub")));
        using var engine = OnnxEngine.FromFile(path);
        Assert.Equal(784, engine.Reconstruct(TrainedModel.TestImage(0), 1).Length);
    }

    [Fact]
    public void A_file_that_is_not_an_onnx_model_is_refused_with_a_clear_message()
    {
        using var temp = new TestPaths.TempDirectory();
        var path = Path.Combine(temp.Path, "not.onnx");
        File.WriteAllText(path, "this is not a model");
        var e = Assert.Throws<InvalidDataException>(() => OnnxEngine.FromFile(path));
        Assert.Contains(path, e.Message);
        // The library says what is wrong; the command line (denoise --engine onnx) adds the command that writes a model.
        Assert.Contains("export --onnx", MnistDenoise.Cli.Advice.ForOnnx(e).Message);

        var missing = Assert.Throws<FileNotFoundException>(() => OnnxEngine.FromFile(Path.Combine(temp.Path, "none.onnx")));
        Assert.Contains("mnist-denoise export --onnx", MnistDenoise.Cli.Advice.ForOnnx(missing).Message);
    }

    [Fact]
    public void The_nearest_upsampling_reads_floor_of_i_times_in_over_out_like_tensorflow_1()
    {
        // One bright row per image, at every height: if Resize mapped rows differently from TorchSharp's Nearest (checked
        // against TF1's floor map in OpsTests), the outputs around those rows would differ.
        using var model = TrainedModel.Load();
        var images = new float[28 * 784];
        for (var n = 0; n < 28; n++)
            for (var x = 0; x < 28; x++)
                images[n * 784 + n * 28 + x] = 1f; // image n: one bright row at y = n
        using var onnx = OnnxEngine.FromBytes(OnnxExport.ToBytes(model));
        var actual = onnx.Reconstruct(images, 28);
        using var scope = NewDisposeScope();
        var expected = model.Reconstruct(tensor(images, [28, 28, 28, 1])).contiguous().data<float>().ToArray();
        Assert.True(expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max() <= 1e-5);
    }
}

public class InferenceBenchmarkTests
{
    [Fact]
    public void Compare_times_both_engines_on_the_same_batch_and_reports_their_agreement()
    {
        using var model = TrainedModel.Load();
        var timing = MnistDenoise.Bench.InferenceBenchmark.Compare(model, batchSize: 8, passes: 2, warmup: 1);
        Assert.Equal((8, 2), (timing.BatchSize, timing.Passes));
        Assert.True(timing.TorchMsPerBatch > 0 && timing.OnnxMsPerBatch > 0);
        Assert.True(timing.MaxAbsDifference <= 1e-5, $"{timing.MaxAbsDifference:E2}");
        Assert.Equal(8 / timing.OnnxMsPerBatch * 1000, timing.OnnxImagesPerSecond, 6);
    }
}
