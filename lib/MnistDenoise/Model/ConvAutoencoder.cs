using MnistDenoise.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static MnistDenoise.Model.Ops;
using static TorchSharp.torch;

namespace MnistDenoise.Model;

/// <summary>
/// The tutorial's convolutional autoencoder, built from <see cref="Ops"/> and two parameter dictionaries
/// with the tutorial's keys and shapes. Input and output are NHWC (N, 28, 28, 1) like the post's
/// placeholders; the output is logits (apply a sigmoid, or call <see cref="Reconstruct"/>, for images).
/// </summary>
public sealed class ConvAutoencoder : nn.Module<Tensor, Tensor>
{
    /// <summary>The tutorial's <c>weights</c> dictionary: key and TensorFlow shape [h, w, in, out].</summary>
    public static readonly IReadOnlyList<(string Key, long[] Shape)> WeightShapes =
    [
        ("conv1", [5, 5, 1, 64]), ("conv2", [5, 5, 64, 64]), ("conv3", [5, 5, 64, 32]),
        ("conv4", [5, 5, 32, 32]), ("conv5", [5, 5, 32, 64]), ("conv6", [5, 5, 64, 64]),
        ("output", [5, 5, 64, 1]),
    ];

    /// <summary>The tutorial's <c>biases</c> dictionary: key and shape.</summary>
    public static readonly IReadOnlyList<(string Key, long[] Shape)> BiasShapes =
    [
        ("b1", [64]), ("b2", [64]), ("b3", [32]), ("b4", [32]), ("b5", [64]), ("b6", [64]), ("b_output", [1]),
    ];

    // The native fix must run before the first torch call, and the field initialisers below (ParameterDict is a
    // torch Module) run before any constructor body; a static constructor runs before both.
    static ConvAutoencoder() => LibTorchLoader.EnsureLoaded();

    /// <summary>Image side length the graph is built for.</summary>
    public const int ImageSize = 28;

    /// <summary>The tutorial's weights, keyed as in the post (<c>weights["conv1"]</c> …).</summary>
    public readonly ParameterDict weights = new();

    /// <summary>The tutorial's biases, keyed as in the post (<c>biases["b1"]</c> …).</summary>
    public readonly ParameterDict biases = new();

    /// <summary>Creates the network with fresh parameters on the CPU.</summary>
    /// <param name="init">How parameters start; see <see cref="WeightInit"/>.</param>
    /// <param name="seed">Seed for the initial values; null draws from torch's global generator.</param>
    public ConvAutoencoder(WeightInit init = WeightInit.Default, long? seed = null) : base(nameof(ConvAutoencoder))
    {
        using var generator = seed is { } s ? new Generator((ulong)s) : null;
        using (no_grad())
        {
            foreach (var (key, shape) in WeightShapes)
            {
                using var initial = Initial(shape, shape, init, generator);
                weights.Add(key, new Parameter(InConvolutionOrder(initial)));
            }
            for (var i = 0; i < BiasShapes.Count; i++)
            {
                var (key, shape) = BiasShapes[i];
                biases.Add(key, new Parameter(Initial(shape, WeightShapes[i].Shape, init, generator)));
            }
        }
        RegisterComponents();
    }

    /// <summary>
    /// A copy of a kernel with the tutorial's shape [h, w, in, out] whose memory is ordered [out, h, w, in]:
    /// the channels-last order of the [out, in, h, w] kernel that <see cref="Ops.conv2d"/> hands to libtorch.
    /// </summary>
    /// <remarks>
    /// With row-major TF memory, <c>w.permute(3, 2, 0, 1)</c> gives oneDNN a strided kernel it must reorder,
    /// and reorder back for the gradient, on every call. In this order the permuted view is already a
    /// channels-last [out, in, h, w] tensor, the format oneDNN uses with channels-last activations, so
    /// nothing is copied; the gradient and Adam's moments follow the parameter's strides. Values, shapes
    /// and checkpoints (written from contiguous copies) are unchanged.
    /// </remarks>
    public static Tensor InConvolutionOrder(Tensor tfKernel)
    {
        if (tfKernel.dim() != 4)
            throw new ArgumentException($"Expected a kernel shaped (h, w, in, out); got ({string.Join(", ", tfKernel.shape)}).", nameof(tfKernel));
        var (h, w, i, o) = (tfKernel.shape[0], tfKernel.shape[1], tfKernel.shape[2], tfKernel.shape[3]);
        var ordered = empty_strided([h, w, i, o], [w * i, i, 1, h * w * i], dtype: tfKernel.dtype, device: tfKernel.device);
        return ordered.copy_(tfKernel);
    }

    private static long FanIn(long[] kernelShape) => kernelShape[0] * kernelShape[1] * kernelShape[2];

    // `kernel` is the [h, w, in, out] shape of the layer the tensor belongs to (its own shape for a kernel).
    private static Tensor Initial(long[] shape, long[] kernel, WeightInit init, Generator? generator)
    {
        var fanIn = FanIn(kernel);
        var fanOut = kernel[0] * kernel[1] * kernel[3];
        var isBias = shape.Length == 1;
        return init switch
        {
            WeightInit.Tutorial => randn(shape, generator: generator),
            WeightInit.Default => Uniform(shape, 1.0 / Math.Sqrt(fanIn), generator),
            WeightInit.Glorot => isBias ? zeros(shape) : Uniform(shape, Math.Sqrt(6.0 / (fanIn + fanOut)), generator),
            _ => throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown initialisation; use Default, Glorot or Tutorial."),
        };
    }

    // U(−bound, bound), drawn exactly as before Glorot existed (so Default's numbers did not change).
    private static Tensor Uniform(long[] shape, double bound, Generator? generator) =>
        rand(shape, generator: generator).mul_(2).sub_(1).mul_(bound);

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

    // Graph reads parameters by the tutorial's keys; this lets it read casted copies too (mixed precision).
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

    /// <summary>Which implementation <see cref="forward(Tensor)"/> and <see cref="Reconstruct"/> run; <see cref="GraphForm.Fast"/> unless set.</summary>
    public GraphForm Form { get; set; } = GraphForm.Fast;

    /// <summary>Logits for a batch of images shaped (N, 28, 28, 1), returned in the same shape, computed by <see cref="Form"/>.</summary>
    public override Tensor forward(Tensor x) => forward(x, ScalarType.Float32, Form);

    /// <summary>
    /// Logits like <see cref="forward(Tensor)"/>, computed in <paramref name="computeType"/> (e.g. <see cref="ScalarType.BFloat16"/>)
    /// from casted copies of the input and of the float32 parameters; the result is float32. Gradients flow back
    /// to the float32 parameters (mixed precision with float32 master weights).
    /// </summary>
    public Tensor forward(Tensor x, ScalarType computeType) => forward(x, computeType, Form);

    /// <summary>Logits like <see cref="forward(Tensor, ScalarType)"/>, computed by the graph form <paramref name="graph"/>.</summary>
    public Tensor forward(Tensor x, ScalarType computeType, GraphForm graph)
    {
        if (!Enum.IsDefined(graph))
            throw new ArgumentOutOfRangeException(nameof(graph), graph, "Use GraphForm.Literal or GraphForm.Fast.");
        var input = ToInternal(x);
        if (computeType == ScalarType.Float32)
            return FromInternal(graph == GraphForm.Fast ? FastGraph(input, weights, biases) : Graph(input, weights, biases));
        // Each parameter is cast once per call, not once per use; the casts keep the kernels' memory order. The fast
        // form merges its kernels in float32 first and casts the sums, so bf16 rounds once, as in the literal form.
        var cast = new Dictionary<string, Tensor>();
        Tensor Cast(string key, Func<Tensor> make) => cast.TryGetValue(key, out var t) ? t : cast[key] = make().to(computeType);
        var w = new Lookup(k => Cast(k, () => weights[k]));
        var b = new Lookup(k => Cast(k, () => biases[k]));
        var logits = graph == GraphForm.Fast
            ? FastGraph(input.to(computeType), w, b, new Lookup(k => Cast("merged." + k, () => MergedKernel(k, weights[k]))))
            : Graph(input.to(computeType), w, b, null);
        return FromInternal(logits.to(ScalarType.Float32));
    }

    /// <summary>Reconstructed images in [0, 1] (the sigmoid of the logits), shaped like the input; no gradients.</summary>
    public Tensor Reconstruct(Tensor noisy)
    {
        using var _ = inference_mode();
        return sigmoid(forward(noisy));
    }

    /// <summary>One row per step of <see cref="Graph(Tensor, ParameterDict, ParameterDict, Action{string, Tensor})"/>: its name, output shape (NHWC) and new parameters.</summary>
    public IReadOnlyList<LayerSummary> Summary()
    {
        var rows = new List<LayerSummary>();
        using var scope = NewDisposeScope();
        using var _ = inference_mode();
        var weightKeys = WeightShapes.Select(w => w.Key).ToArray();
        var i = 0;
        Graph(ToInternal(zeros(1, ImageSize, ImageSize, 1, device: weights["conv1"].device)), weights, biases, (name, t) =>
        {
            var parameters = 0L;
            if (name is "output" || name.StartsWith("conv", StringComparison.Ordinal))
            {
                var key = weightKeys[i++];
                parameters = weights[key].numel() + biases[BiasShapes[i - 1].Key].numel();
            }
            rows.Add(new LayerSummary(name, [t.shape[0], t.shape[2], t.shape[3], t.shape[1]], parameters));
        });
        return rows;
    }

    /// <summary>
    /// TorchSharp's loader, for files written by <c>save</c> or <c>Checkpoint.Save</c>. TorchSharp reads each
    /// tensor straight into the parameter's memory, which must be contiguous, so the kernels are read into
    /// row-major stand-ins and copied into the (same) parameters afterwards; optimizers keep working.
    /// </summary>
    public override nn.Module load(BinaryReader reader, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
    {
        WithRowMajorKernels(() => base.load(reader, strict, skip, loadedParameters));
        return this;
    }

    /// <summary>TorchSharp's <c>Module.save</c> (its format), writing the kernels from row-major copies.</summary>
    public new nn.Module save(string location, IList<string>? skip = null)
    {
        WithRowMajorKernels(() => base.save(location, skip));
        return this;
    }

    /// <summary>TorchSharp's <c>Module.save</c> (its format), writing the kernels from row-major copies.</summary>
    public new nn.Module save(Stream stream, IList<string>? skip = null)
    {
        WithRowMajorKernels(() => base.save(stream, skip));
        return this;
    }

    /// <summary>TorchSharp's <c>Module.save</c> (its format), writing the kernels from row-major copies.</summary>
    public new nn.Module save(BinaryWriter writer, IList<string>? skip = null)
    {
        WithRowMajorKernels(() => base.save(writer, skip));
        return this;
    }

    // Swaps every kernel for a row-major copy while `action` runs, then copies the values back into the
    // original parameters (the objects an optimizer holds) and puts them back.
    private void WithRowMajorKernels(Action action)
    {
        var originals = WeightShapes.Select(w => (w.Key, Parameter: weights[w.Key])).ToArray();
        try
        {
            using (no_grad())
                foreach (var (key, p) in originals)
                    weights[key] = new Parameter(p.contiguous(), p.requires_grad);
            action();
        }
        finally
        {
            using (no_grad())
                foreach (var (key, p) in originals)
                {
                    var stand_in = weights[key];
                    if (!ReferenceEquals(stand_in, p))
                    {
                        p.copy_(stand_in);
                        weights[key] = p;
                        stand_in.Dispose();
                    }
                }
        }
    }

    /// <summary>Total number of trainable numbers (the tutorial's network has 336,321).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>
    /// NHWC (N, 28, 28, 1) to the NCHW shape TorchSharp's ops expect, in channels-last memory, the layout
    /// oneDNN's CPU convolutions prefer; never slower than NCHW memory here (docs/performance.md).
    /// </summary>
    public static Tensor ToInternal(Tensor nhwc)
    {
        if (nhwc.dim() != 4 || nhwc.shape[1] != ImageSize || nhwc.shape[2] != ImageSize || nhwc.shape[3] != 1)
            throw new ArgumentException(
                $"The autoencoder takes images shaped (N, {ImageSize}, {ImageSize}, 1) (NHWC, as the tutorial's placeholder); " +
                $"got ({string.Join(", ", nhwc.shape)}). Reshape flat (N, 784) images with .reshape(-1, 28, 28, 1).", nameof(nhwc));
        var nchw = nhwc.permute(0, 3, 1, 2);
        if (nchw.device_type != DeviceType.CPU) return nchw;
        // Channels-last strides for (N, C, H, W) are (H·W·C, 1, W·C, C). TorchSharp has no
        // memory_format argument, and permute().contiguous() is a no-op for one channel, so build it.
        var (n, c, h, w) = (nchw.shape[0], nchw.shape[1], nchw.shape[2], nchw.shape[3]);
        var channelsLast = empty_strided([n, c, h, w], [h * w * c, 1, w * c, c], dtype: nchw.dtype, device: nchw.device);
        return channelsLast.copy_(nchw);
    }

    /// <summary>NCHW (N, 1, 28, 28) back to the tutorial's NHWC (N, 28, 28, 1).</summary>
    public static Tensor FromInternal(Tensor nchw) => nchw.permute(0, 2, 3, 1);
}
