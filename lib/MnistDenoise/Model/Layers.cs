namespace MnistDenoise.Model;

/// <summary>One convolution of the tutorial's network: its name in the graph, its keys in the post's two dictionaries, and its kernel.</summary>
/// <param name="Name">The layer's name in the graph (<c>conv1</c> … <c>conv6</c>, <c>output</c>).</param>
/// <param name="WeightKey">Its key in <c>weights</c>.</param>
/// <param name="BiasKey">Its key in <c>biases</c>.</param>
/// <param name="KernelShape">The kernel's TensorFlow shape [h, w, in, out]; the bias has <c>out</c> values.</param>
public sealed record Layer(string Name, string WeightKey, string BiasKey, long[] KernelShape)
{
    /// <summary>The bias's shape: one value per output channel.</summary>
    public long[] BiasShape => [KernelShape[3]];

    /// <summary>Inputs that feed one output value: h·w·in.</summary>
    public long FanIn => KernelShape[0] * KernelShape[1] * KernelShape[2];

    /// <summary>Outputs one input value feeds: h·w·out.</summary>
    public long FanOut => KernelShape[0] * KernelShape[1] * KernelShape[3];
}

/// <summary>The tutorial's seven convolutions, in graph order: the one table every other list of the network derives from.</summary>
public static class Layers
{
    /// <summary>conv1–conv3 encode (each followed by a 2×2 max-pool), conv4–conv6 decode (each after an upsampling), output gives logits.</summary>
    public static readonly IReadOnlyList<Layer> All =
    [
        new("conv1", "conv1", "b1", [5, 5, 1, 64]),
        new("conv2", "conv2", "b2", [5, 5, 64, 64]),
        new("conv3", "conv3", "b3", [5, 5, 64, 32]),
        new("conv4", "conv4", "b4", [5, 5, 32, 32]),
        new("conv5", "conv5", "b5", [5, 5, 32, 64]),
        new("conv6", "conv6", "b6", [5, 5, 64, 64]),
        new("output", "output", "b_output", [5, 5, 64, 1]),
    ];
}
