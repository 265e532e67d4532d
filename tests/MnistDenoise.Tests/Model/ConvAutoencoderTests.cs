using MnistDenoise.Model;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Model;

public class ConvAutoencoderTests
{
    [Fact]
    public void Has_the_tutorials_336321_parameters_under_its_keys_and_shapes()
    {
        using var model = new ConvAutoencoder(seed: 1);
        Assert.Equal(336_321, model.ParameterCount);
        var state = model.state_dict();
        foreach (var (key, shape) in ConvAutoencoder.WeightShapes)
            Assert.Equal(shape, state["weights." + key].shape);
        foreach (var (key, shape) in ConvAutoencoder.BiasShapes)
            Assert.Equal(shape, state["biases." + key].shape);
        Assert.Equal(14, state.Count);
        Assert.Equal(new long[] { 5, 5, 64, 32 }, model.weights["conv3"].shape);
    }

    [Fact]
    public void Every_layer_has_the_tutorials_shape()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var rows = model.Summary();
        var expected = new (string, long, long)[]
        {
            ("conv1", 28, 64), ("pool1", 14, 64), ("conv2", 14, 64), ("pool2", 7, 64), ("conv3", 7, 32), ("pool3", 4, 32),
            ("upsample1", 7, 32), ("conv4", 7, 32), ("upsample2", 14, 32), ("conv5", 14, 64), ("upsample3", 28, 64),
            ("conv6", 28, 64), ("output", 28, 1),
        };
        Assert.Equal(expected.Select(e => e.Item1), rows.Select(r => r.Name));
        foreach (var ((name, side, channels), row) in expected.Zip(rows))
            Assert.Equal(new long[] { 1, side, side, channels }, row.OutputShape);
        Assert.Equal(336_321, rows.Sum(r => r.Parameters));
    }

    [Fact]
    public void Takes_and_returns_nhwc_batches()
    {
        using var model = new ConvAutoencoder(seed: 1);
        using var x = rand(3, 28, 28, 1);
        using var logits = model.forward(x);
        Assert.Equal(new long[] { 3, 28, 28, 1 }, logits.shape);
        using var images = model.Reconstruct(x);
        Assert.InRange(images.min().item<float>(), 0f, 1f);
        Assert.InRange(images.max().item<float>(), 0f, 1f);
    }

    [Fact]
    public void Channels_last_inside_gives_the_same_result_as_plain_nchw()
    {
        using var model = new ConvAutoencoder(seed: 3);
        using var x = rand(2, 28, 28, 1);
        using var viaModel = model.forward(x);
        using var plain = ConvAutoencoder.Graph(x.permute(0, 3, 1, 2).contiguous(), model.weights, model.biases).permute(0, 2, 3, 1);
        Assert.True(viaModel.allclose(plain, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Rejects_flat_images_with_a_hint()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.forward(rand(2, 784)));
        Assert.Contains("(N, 28, 28, 1)", e.Message);
        Assert.Contains("reshape(-1, 28, 28, 1)", e.Message);
    }

    [Fact]
    public void Initialisations_follow_their_definitions_and_seeds()
    {
        using var tutorial = new ConvAutoencoder(WeightInit.Tutorial, seed: 7);
        var all = cat(tutorial.parameters().Select(p => p.flatten()).ToArray());
        Assert.InRange(all.std().item<float>(), 0.98f, 1.02f); // N(0, 1) over 336k draws

        using var standard = new ConvAutoencoder(WeightInit.Default, seed: 7);
        var bound = 1 / Math.Sqrt(5 * 5 * 64);
        Assert.InRange(standard.weights["conv2"].abs().max().item<float>(), 0.9 * bound, bound);
        Assert.InRange(standard.biases["b2"].abs().max().item<float>(), 0, bound);

        using var again = new ConvAutoencoder(WeightInit.Default, seed: 7);
        using var other = new ConvAutoencoder(WeightInit.Default, seed: 8);
        Assert.True(standard.weights["conv4"].allclose(again.weights["conv4"], rtol: 0, atol: 0));
        Assert.False(standard.weights["conv4"].allclose(other.weights["conv4"], rtol: 0, atol: 0));
    }

    [Fact]
    public void Glorot_draws_uniform_weights_within_the_fan_bound_and_zero_biases()
    {
        using var glorot = new ConvAutoencoder(WeightInit.Glorot, seed: 7);
        // conv3: 5×5 kernel, 64 in, 32 out → bound √(6 / (1600 + 800)) = 0.05
        var bound = Math.Sqrt(6.0 / (5 * 5 * 64 + 5 * 5 * 32));
        var w = glorot.weights["conv3"];
        Assert.InRange(w.abs().max().item<float>(), 0.95 * bound, bound);
        // U(−b, b) has standard deviation b/√3.
        Assert.InRange(w.std().item<float>(), 0.97 * bound / Math.Sqrt(3), 1.03 * bound / Math.Sqrt(3));
        Assert.All(glorot.biases.values(), b => Assert.Equal(0f, b.abs().max().item<float>()));
        Assert.Equal(336_321, glorot.ParameterCount);
    }
}
