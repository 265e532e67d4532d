using System.Runtime.InteropServices;
using MnistDenoise.Model;
using static TorchSharp.torch;

namespace MnistDenoise.Inference;

/// <summary>
/// Writes a <see cref="ConvAutoencoder"/> as an ONNX model (opset 13) that any ONNX runtime can run without libtorch:
/// input <see cref="InputName"/> shaped (N, 28, 28, 1), float in [0, 1], like the tutorial's placeholder; first output
/// <see cref="OutputName"/>, the reconstruction after the sigmoid, same shape; second output <see cref="LogitsName"/>.
/// </summary>
/// <remarks>
/// The graph is the tutorial's, op for op, with the numbers read from the model's <c>weights</c> and <c>biases</c>:
/// Transpose to NCHW; three times Conv 5×5 (pads 2, TensorFlow's SAME) + Relu and MaxPool 2×2 stride 2 with
/// <c>ceil_mode</c> (SAME: 28→14→7→4); three times Resize nearest to 7, 14, 28 with
/// <c>coordinate_transformation_mode = asymmetric</c> and <c>nearest_mode = floor</c> (output index i reads
/// floor(i · in / out), TF1's <c>resize_nearest_neighbor</c>) and Conv + Relu; the output Conv (logits); Sigmoid;
/// Transpose back to NHWC. Kernels are stored [h, w, in, out] (TensorFlow); ONNX's Conv wants [out, in, h, w].
/// The protobuf is written by hand (<see cref="Protobuf"/>) with the field numbers of onnx.proto
/// (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto, Apache-2.0); no file of ONNX's is copied.
/// </remarks>
public static class OnnxExport
{
    /// <summary>The ONNX operator set the graph uses (Resize with nearest_mode needs 11+; 13 is the floor).</summary>
    public const int Opset = 13;

    /// <summary>ONNX IR version that goes with opset 13.</summary>
    public const int IrVersion = 7;

    /// <summary>Name of the graph's input: images shaped (N, 28, 28, 1).</summary>
    public const string InputName = "images";

    /// <summary>Name of the first output: the reconstruction in [0, 1], shaped like the input.</summary>
    public const string OutputName = "reconstruction";

    /// <summary>Name of the second output: the logits before the sigmoid, shaped like the input.</summary>
    public const string LogitsName = "logits";

    // onnx.proto: TensorProto.DataType and AttributeProto.AttributeType values.
    private const int FloatType = 1;
    private const int AttrInt = 2, AttrString = 3, AttrInts = 7;

    /// <summary>Writes the model to <paramref name="path"/> as an ONNX file (temporary file, then rename).</summary>
    public static void Save(ConvAutoencoder model, string path) => AtomicFile.WriteAllBytes(path, ToBytes(model));

    /// <summary>The model as the bytes of an ONNX file (a serialized <c>ModelProto</c>).</summary>
    public static byte[] ToBytes(ConvAutoencoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new Protobuf().String(2, "conv_autoencoder"); // GraphProto.name
        var nodes = new List<Protobuf>();
        var initializers = new List<Protobuf>();
        var counter = 0;

        string Node(string op, string[] inputs, params Protobuf[] attributes)
        {
            var output = $"{op.ToLowerInvariant()}_{++counter}";
            nodes.Add(NodeProto(op, inputs, output, attributes));
            return output;
        }

        string Conv(string x, string weightKey, string biasKey, bool relu)
        {
            // Kernels are [h, w, in, out]; ONNX's Conv takes [out, in, h, w].
            initializers.Add(Tensor(weightKey, model.weights[weightKey].detach().cpu().permute(3, 2, 0, 1)));
            initializers.Add(Tensor(biasKey, model.biases[biasKey].detach().cpu()));
            var y = Node("Conv", [x, weightKey, biasKey],
                Ints("kernel_shape", Ops.KernelSize, Ops.KernelSize), Ints("pads", 2, 2, 2, 2), Ints("strides", 1, 1));
            return relu ? Node("Relu", [y]) : y;
        }

        string Pool(string x) => Node("MaxPool", [x], Ints("kernel_shape", 2, 2), Ints("strides", 2, 2), Int("ceil_mode", 1));

        string Upsample(string x, int from, int to)
        {
            // Scales rather than sizes: sizes would have to name the batch dimension, which is dynamic. The output side
            // is floor(in · scale) = to, and asymmetric + floor reads input index floor(i / scale) = floor(i · from / to).
            var scales = $"scales_{from}_to_{to}";
            var factor = (float)to / from;
            initializers.Add(Tensor(scales, [4], [1f, 1f, factor, factor]));
            return Node("Resize", [x, "", scales],
                String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor"));
        }

        var x = Node("Transpose", [InputName], Ints("perm", 0, 3, 1, 2));
        x = Pool(Conv(x, "conv1", "b1", relu: true));
        x = Pool(Conv(x, "conv2", "b2", relu: true));
        x = Pool(Conv(x, "conv3", "b3", relu: true));
        x = Conv(Upsample(x, 4, 7), "conv4", "b4", relu: true);
        x = Conv(Upsample(x, 7, 14), "conv5", "b5", relu: true);
        x = Conv(Upsample(x, 14, 28), "conv6", "b6", relu: true);
        var logits = Conv(x, "output", "b_output", relu: false);
        nodes.Add(NodeProto("Transpose", [logits], LogitsName, Ints("perm", 0, 2, 3, 1)));
        var images = Node("Sigmoid", [logits]);
        nodes.Add(NodeProto("Transpose", [images], OutputName, Ints("perm", 0, 2, 3, 1)));

        foreach (var n in nodes) graph.Message(1, n);          // GraphProto.node
        foreach (var t in initializers) graph.Message(5, t);   // GraphProto.initializer
        graph.Message(11, ValueInfo(InputName));               // GraphProto.input
        graph.Message(12, ValueInfo(OutputName));              // GraphProto.output
        graph.Message(12, ValueInfo(LogitsName));

        return new Protobuf()
            .Int(1, IrVersion)                                  // ModelProto.ir_version
            .String(2, "MnistDenoise")                          // producer_name
            .String(6, "The tutorial's convolutional denoising autoencoder: NHWC (N, 28, 28, 1) in [0, 1] → reconstruction, logits.")
            .Message(7, graph)                                  // graph
            .Message(8, new Protobuf().String(1, "").Int(2, Opset)) // opset_import: default domain
            .ToArray();
    }

    private static Protobuf NodeProto(string op, string[] inputs, string output, params Protobuf[] attributes)
    {
        var node = new Protobuf();
        foreach (var i in inputs) node.String(1, i);   // NodeProto.input ("" = an optional input left out)
        node.String(2, output);                        // output
        node.String(3, output);                        // name
        node.String(4, op);                            // op_type
        foreach (var a in attributes) node.Message(5, a);
        return node;
    }

    // AttributeProto: name 1, i 3, s 4, ints 8, type 20.
    private static Protobuf Ints(string name, params long[] values) => new Protobuf().String(1, name).Ints(8, values).Int(20, AttrInts);
    private static Protobuf Int(string name, long value) => new Protobuf().String(1, name).Int(3, value).Int(20, AttrInt);
    private static Protobuf String(string name, string value) => new Protobuf().String(1, name).String(4, value).Int(20, AttrString);

    private static Protobuf Tensor(string name, TorchSharp.torch.Tensor values)
    {
        using var contiguous = values.to_type(ScalarType.Float32).contiguous();
        return Tensor(name, contiguous.shape, contiguous.data<float>().ToArray());
    }

    // TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian, which every platform .NET runs on is).
    private static Protobuf Tensor(string name, long[] dims, float[] values) =>
        new Protobuf().Ints(1, dims).Int(2, FloatType).String(8, name).Bytes(9, MemoryMarshal.AsBytes(values.AsSpan()));

    // ValueInfoProto { name 1, type 2 }, TypeProto { tensor_type 1 }, TypeProto.Tensor { elem_type 1, shape 2 },
    // TensorShapeProto { dim 1 }, Dimension { dim_value 1, dim_param 2 }: float (N, 28, 28, 1), N symbolic.
    private static Protobuf ValueInfo(string name)
    {
        var shape = new Protobuf().Message(1, new Protobuf().String(2, "N"));
        foreach (var d in new long[] { ConvAutoencoder.ImageSize, ConvAutoencoder.ImageSize, 1 })
            shape.Message(1, new Protobuf().Int(1, d));
        var tensorType = new Protobuf().Int(1, FloatType).Message(2, shape);
        return new Protobuf().String(1, name).Message(2, new Protobuf().Message(1, tensorType));
    }
}
