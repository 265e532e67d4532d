using MnistDenoise.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MnistDenoise.Model;

/// <summary>
/// The tutorial's convolutional autoencoder, built from <see cref="Ops"/> and two parameter dictionaries
/// with the tutorial's keys and shapes. Input and output are NHWC (N, 28, 28, 1) like the post's
/// placeholders; the output is logits (apply a sigmoid, or call <see cref="Reconstruct"/>, for images).
/// </summary>
/// <remarks>
/// The graph itself is in <c>ConvAutoencoder.Graph.cs</c> (the post's lines) and <c>ConvAutoencoder.FastGraph.cs</c> (the
/// same function with less arithmetic); the layers' keys and shapes in <see cref="Layers"/>; memory order in
/// <see cref="KernelLayout"/>. libtorch must be loaded first (<see cref="LibTorchLoader.EnsureLoaded"/>, done by every
/// entry point of this project).
/// </remarks>
public sealed partial class ConvAutoencoder : nn.Module<Tensor, Tensor>
{
    /// <summary>The tutorial's <c>weights</c> dictionary: key and TensorFlow shape [h, w, in, out].</summary>
    public static readonly IReadOnlyList<(string Key, long[] Shape)> WeightShapes = [.. Layers.All.Select(l => (l.WeightKey, l.KernelShape))];

    /// <summary>The tutorial's <c>biases</c> dictionary: key and shape.</summary>
    public static readonly IReadOnlyList<(string Key, long[] Shape)> BiasShapes = [.. Layers.All.Select(l => (l.BiasKey, l.BiasShape))];

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
            // All kernels first, then all biases: the order of draws the committed figures come from.
            foreach (var layer in Layers.All)
            {
                using var initial = Initialization.Kernel(layer, init, generator);
                weights.Add(layer.WeightKey, new Parameter(KernelLayout.InConvolutionOrder(initial)));
            }
            foreach (var layer in Layers.All)
                biases.Add(layer.BiasKey, new Parameter(Initialization.Bias(layer, init, generator)));
        }
        RegisterComponents();
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
        using var layers = Layers.All.GetEnumerator();
        Graph(ToInternal(zeros(1, ImageSize, ImageSize, 1, device: weights["conv1"].device)), weights, biases, (name, t) =>
        {
            var parameters = 0L;
            if (name is "output" || name.StartsWith("conv", StringComparison.Ordinal))
            {
                layers.MoveNext();
                parameters = weights[layers.Current.WeightKey].numel() + biases[layers.Current.BiasKey].numel();
            }
            rows.Add(new LayerSummary(name, [t.shape[0], t.shape[2], t.shape[3], t.shape[1]], parameters));
        });
        return rows;
    }

    /// <summary>
    /// The parameters by name, kernels as row-major copies of their values: what TorchSharp's <c>save</c> writes, through
    /// any reference to the module (<see cref="KernelLayout"/>).
    /// </summary>
    public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
    {
        var state = base.state_dict(destination, prefix);
        return KernelLayout.RowMajorState(state, weights, (string.IsNullOrEmpty(prefix) ? "" : prefix + ".") + nameof(weights) + ".");
    }

    /// <summary>TorchSharp's loader, for files written by <c>save</c> or <c>Checkpoint.Save</c>; the parameter objects stay the same.</summary>
    public override nn.Module load(BinaryReader reader, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
    {
        KernelLayout.LoadThroughRowMajorKernels(weights, () => base.load(reader, strict, skip, loadedParameters));
        return this;
    }

    /// <summary>TorchSharp's <c>load_state_dict</c>; the parameter objects stay the same.</summary>
    public override (IList<string> missing_keys, IList<string> unexpected_keyes) load_state_dict(Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
    {
        (IList<string>, IList<string>) result = default;
        KernelLayout.LoadThroughRowMajorKernels(weights, () => result = base.load_state_dict(source, strict, skip));
        return result;
    }

    /// <summary>Total number of trainable numbers (the tutorial's network has 336,321).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>
    /// NHWC (N, 28, 28, 1) to the NCHW shape TorchSharp's ops expect, in channels-last memory
    /// (<see cref="KernelLayout.ChannelsLast"/>), the layout oneDNN's CPU convolutions prefer.
    /// </summary>
    public static Tensor ToInternal(Tensor nhwc)
    {
        ArgumentNullException.ThrowIfNull(nhwc);
        if (nhwc.dim() != 4 || nhwc.shape[1] != ImageSize || nhwc.shape[2] != ImageSize || nhwc.shape[3] != 1)
            throw new ArgumentException(
                $"The autoencoder takes images shaped (N, {ImageSize}, {ImageSize}, 1) (NHWC, as the tutorial's placeholder); " +
                $"got ({string.Join(", ", nhwc.shape)}). Reshape flat (N, 784) images with .reshape(-1, 28, 28, 1).", nameof(nhwc));
        return KernelLayout.ChannelsLast(nhwc.permute(0, 3, 1, 2));
    }

    /// <summary>NCHW (N, 1, 28, 28) back to the tutorial's NHWC (N, 28, 28, 1).</summary>
    public static Tensor FromInternal(Tensor nchw) => nchw.permute(0, 2, 3, 1);
}
