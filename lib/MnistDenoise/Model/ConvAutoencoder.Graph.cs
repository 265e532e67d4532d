using TorchSharp.Modules;
using static MnistDenoise.Model.Ops;
using static TorchSharp.torch;

namespace MnistDenoise.Model;

public sealed partial class ConvAutoencoder
{
    /// <summary>
    /// The tutorial's graph, line for line, on an NCHW tensor. <paramref name="observe"/>, if given, sees
    /// every named intermediate result (for shape tables and visualisations).
    /// </summary>
    public static Tensor Graph(Tensor x, ParameterDict weights, ParameterDict biases, Action<string, Tensor>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        return Graph(x, new Lookup(weights), new Lookup(biases), observe);
    }

    // The graph reads parameters by the tutorial's keys; a lookup lets it read casted copies too (mixed precision).
    private sealed class Lookup(Func<string, Tensor> get)
    {
        public Lookup(ParameterDict parameters) : this(key => parameters[key]) { }
        public Tensor this[string key] => get(key);
    }

    private static Tensor Graph(Tensor x, Lookup weights, Lookup biases, Action<string, Tensor>? observe)
    {
        Tensor Seen(string name, Tensor t) { observe?.Invoke(name, t); return t; }

        var conv1 = Seen("conv1", conv2d(x, weights["conv1"], biases["b1"]));
        conv1 = Seen("pool1", maxpooling2d(conv1));

        var conv2 = Seen("conv2", conv2d(conv1, weights["conv2"], biases["b2"]));
        conv2 = Seen("pool2", maxpooling2d(conv2));

        var conv3 = Seen("conv3", conv2d(conv2, weights["conv3"], biases["b3"]));
        conv3 = Seen("pool3", maxpooling2d(conv3));

        var conv4 = Seen("upsample1", upsampling(conv3, 7, 7));
        conv4 = Seen("conv4", conv2d(conv4, weights["conv4"], biases["b4"]));

        var conv5 = Seen("upsample2", upsampling(conv4, 14, 14));
        conv5 = Seen("conv5", conv2d(conv5, weights["conv5"], biases["b5"]));

        var conv6 = Seen("upsample3", upsampling(conv5, 28, 28));
        conv6 = Seen("conv6", conv2d(conv6, weights["conv6"], biases["b6"]));

        return Seen("output", conv2d(conv6, weights["output"], biases["b_output"], relu: false));
    }
}
