using MnistDenoise.Model;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Model;

public class OpsTests
{
    [Fact]
    public void Same_max_pooling_turns_7x7_into_4x4_padding_the_far_edge()
    {
        using var x = arange(49, dtype: ScalarType.Float32).reshape(1, 1, 7, 7);
        using var y = Ops.maxpooling2d(x);
        Assert.Equal(new long[] { 1, 1, 4, 4 }, y.shape);
        // Window (i, j) covers rows 2i..2i+1 and columns 2j..2j+1, cut at 6: its maximum is the bottom-right cell.
        var values = y.data<float>().ToArray();
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 4; j++)
                Assert.Equal(7 * Math.Min(2 * i + 1, 6) + Math.Min(2 * j + 1, 6), values[i * 4 + j]);
    }

    [Fact]
    public void Upsampling_uses_tf1_nearest_neighbour_index_map()
    {
        using var x = arange(4, dtype: ScalarType.Float32).reshape(1, 1, 1, 4);
        using var y = Ops.upsampling(x, 1, 7);
        Assert.Equal(new float[] { 0, 0, 1, 1, 2, 2, 3 }, y.data<float>().ToArray());

        using var x7 = arange(7, dtype: ScalarType.Float32).reshape(1, 1, 7, 1);
        using var y14 = Ops.upsampling(x7, 14, 1);
        Assert.Equal(Enumerable.Range(0, 14).Select(i => (float)(i * 7 / 14)), y14.data<float>().ToArray());
    }

    [Fact]
    public void Conv2d_keeps_the_size_and_applies_relu_except_for_logits()
    {
        using var x = ones(1, 1, 6, 6);
        using var w = full(new long[] { 5, 5, 1, 2 }, -1f);
        using var b = zeros(2);
        using var hidden = Ops.conv2d(x, w, b);
        using var logits = Ops.conv2d(x, w, b, relu: false);
        Assert.Equal(new long[] { 1, 2, 6, 6 }, hidden.shape);
        Assert.Equal(0f, hidden.max().item<float>());
        // The centre sees all 25 taps; a corner sees 3×3 of them (SAME zero padding).
        Assert.Equal(-9f, logits[0, 0, 0, 0].item<float>());
        Assert.Equal(-25f, logits[0, 0, 2, 2].item<float>());
    }

    [Fact]
    public void Conv2d_reads_kernels_in_tensorflow_layout()
    {
        // Kernel (5, 5, in=1, out=1) with one tap at row 0, column 4: output(i, j) = x(i - 2, j + 2).
        using var x = arange(36, dtype: ScalarType.Float32).reshape(1, 1, 6, 6);
        using var w = zeros(5, 5, 1, 1);
        w[0, 4, 0, 0] = tensor(1f);
        using var y = Ops.conv2d(x, w, zeros(1), relu: false);
        Assert.Equal(x[0, 0, 0, 4].item<float>(), y[0, 0, 2, 2].item<float>());
        Assert.Equal(0f, y[0, 0, 1, 2].item<float>()); // reads row -1: padding
    }

    [Fact]
    public void Conv2d_rejects_a_kernel_of_the_wrong_shape()
    {
        using var x = ones(1, 1, 6, 6);
        var e = Assert.Throws<ArgumentException>(() => Ops.conv2d(x, ones(1, 64, 5, 5), zeros(64)));
        Assert.Contains("(5, 5, in, out)", e.Message);
    }

    [Fact]
    public void Cost_is_the_mean_sigmoid_cross_entropy_in_closed_form()
    {
        double[] z = [-2, 0, 3, 0.5, -7, 12];
        double[] y = [0, 0.5, 1, 1, 0.25, 0];
        // TF's documented form: max(z, 0) - z·y + log(1 + exp(-|z|)).
        var expected = z.Zip(y, (zi, yi) => Math.Max(zi, 0) - zi * yi + Math.Log(1 + Math.Exp(-Math.Abs(zi)))).Average();

        using var logits = tensor(z.Select(v => (float)v).ToArray()).reshape(1, 2, 3, 1);
        using var labels = tensor(y.Select(v => (float)v).ToArray()).reshape(1, 2, 3, 1);
        using var cost = Ops.cost(logits, labels);
        Assert.Equal(expected, cost.item<float>(), 5);
    }
}
