using TorchSharp.Modules;
using static MnistDenoise.Model.Ops;
using static TorchSharp.torch;

namespace MnistDenoise.Model;

public sealed partial class ConvAutoencoder
{
    /// <summary>
    /// <see cref="Graph(Tensor, ParameterDict, ParameterDict, Action{string, Tensor})"/>, the same function with about half
    /// the multiply-adds, on an NCHW tensor. Each "upsample by 2, then 5×5 convolution" (conv5, conv6) is a 3×3
    /// convolution of the small map with merged taps (<see cref="SubPixel.MergedKernel"/>); conv6's four output phases
    /// are not interleaved into the 28×28 map, the output layer reads them directly (<see cref="SubPixel.PhaseKernel"/>)
    /// and only its one-channel logits are shuffled; and each ReLU runs after its max-pool, on a quarter of the values
    /// (max and ReLU commute, and so do their gradients). conv4's 4→7 upsampling is not a uniform 2× map and stays literal.
    /// </summary>
    public static Tensor FastGraph(Tensor x, ParameterDict weights, ParameterDict biases)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        return FastGraph(x, new Lookup(weights), new Lookup(biases), new Lookup(key => MergedKernel(key, weights[key])));
    }

    // The four-phase kernels FastGraph reads under the keys of the 5×5 kernels they are made from.
    private static Tensor MergedKernel(string key, Tensor w) => key == "output" ? SubPixel.PhaseKernel(w) : SubPixel.MergedKernel(w);

    private static Tensor FastGraph(Tensor x, Lookup weights, Lookup biases, Lookup merged)
    {
        Tensor PooledConv(Tensor input, string w, string b) => nn.functional.relu(maxpooling2d(conv2d(input, weights[w], biases[b], relu: false)));
        var conv1 = PooledConv(x, "conv1", "b1");
        var conv2 = PooledConv(conv1, "conv2", "b2");
        var conv3 = PooledConv(conv2, "conv3", "b3");
        var conv4 = conv2d(upsampling(conv3, 7, 7), weights["conv4"], biases["b4"]);
        var conv5 = SubPixel.PhaseConv(conv4, merged["conv5"], biases["b5"]);
        var conv6 = SubPixel.Phases(conv5, merged["conv6"], biases["b6"]);
        return nn.functional.pixel_shuffle(SubPixel.Phases(conv6, merged["output"], biases["b_output"], relu: false), 2);
    }
}
