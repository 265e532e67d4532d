using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MnistDenoise.Model;

/// <summary>
/// The tutorial's building blocks, under the tutorial's names, so that notebook code reads like the post:
/// <c>var conv1 = conv2d(x, weights["conv1"], biases["b1"]);</c>. Tensors are NCHW-shaped (TorchSharp's
/// convention); their memory may be channels-last. Weights use the tutorial's TensorFlow layout
/// [height, width, in, out].
/// </summary>
#pragma warning disable IDE1006 // lower-case names on purpose: they are the tutorial's (and TorchSharp's) names
public static class Ops
{
    /// <summary>The side of every convolution kernel in the tutorial.</summary>
    public const int KernelSize = 5;

    /// <summary>
    /// <c>tf.nn.conv2d(x, w, strides=[1,1,1,1], padding='SAME') + b</c>, then ReLU unless
    /// <paramref name="relu"/> is false (the output layer gives logits).
    /// </summary>
    /// <param name="x">Input, shape (N, C, H, W).</param>
    /// <param name="w">Kernel in the tutorial's layout (5, 5, C, out).</param>
    /// <param name="b">Bias, shape (out).</param>
    /// <param name="relu">Apply ReLU (the tutorial's hidden layers) or not (its output layer).</param>
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, bool relu = true)
    {
        if (w.dim() != 4 || w.shape[0] != KernelSize || w.shape[1] != KernelSize)
            throw new ArgumentException($"conv2d expects a kernel shaped (5, 5, in, out); got ({string.Join(", ", w.shape)}).", nameof(w));
        // SAME padding for an odd kernel at stride 1 is (k - 1) / 2 on every side.
        var pad = (KernelSize - 1) / 2;
        var y = F.conv2d(x, w.permute(3, 2, 0, 1), b, padding: [pad, pad]);
        return relu ? F.relu(y) : y;
    }

    /// <summary>
    /// <c>tf.nn.max_pool(x, ksize=[1,2,2,1], strides=[1,2,2,1], padding='SAME')</c>: 28→14→7→4.
    /// SAME pads the right/bottom edge of an odd size, which is what <c>ceil_mode</c> does.
    /// </summary>
    public static Tensor maxpooling2d(Tensor x) =>
        F.max_pool2d(x, kernel_size: 2L, stride: 2L, ceil_mode: true);

    /// <summary>
    /// <c>tf.image.resize_nearest_neighbor(x, (h, w))</c> (TF1, align_corners=False): output index i reads
    /// input index floor(i · in / out), e.g. 4→7 reads 0 0 1 1 2 2 3. TorchSharp's <c>Nearest</c> does the
    /// same; its <c>NearestExact</c> would not.
    /// </summary>
    public static Tensor upsampling(Tensor x, int h, int w) =>
        F.interpolate(x, size: [h, w], mode: InterpolationMode.Nearest);

    /// <summary>
    /// The tutorial's cost: <c>tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))</c>.
    /// </summary>
    public static Tensor cost(Tensor logits, Tensor labels) =>
        F.binary_cross_entropy_with_logits(logits, labels, reduction: nn.Reduction.Mean);

    /// <summary>
    /// The tutorial's optimizer: <c>tf.train.AdamOptimizer(learning_rate=0.001)</c>, with TF1's update rule and defaults
    /// (β₁ 0.9, β₂ 0.999, ε 1e-8 added to √v); see <see cref="TfAdamOptimizer"/> for how it differs from PyTorch's Adam.
    /// </summary>
    public static TfAdamOptimizer AdamOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate = 0.001) =>
        new(parameters, learningRate);
}
#pragma warning restore IDE1006
