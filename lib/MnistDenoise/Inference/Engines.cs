using Microsoft.ML.OnnxRuntime;
using MnistDenoise.Model;
using MnistDenoise.Runtime;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Inference;

/// <summary>Something that turns a batch of 28×28 images into their reconstructions.</summary>
public interface IDenoiseEngine : IDisposable
{
    /// <summary>A short name for reports: "torch" or "onnx".</summary>
    string Name { get; }

    /// <summary>
    /// Reconstructs <paramref name="count"/> images given as <paramref name="count"/>·784 values in [0, 1] (NHWC (N, 28, 28, 1)
    /// row-major); returns as many values, in [0, 1].
    /// </summary>
    float[] Reconstruct(float[] images, int count);

    /// <summary>
    /// How many threads may call <see cref="Reconstruct"/> at the same time, each on a core of its own after
    /// <see cref="EnterWorkerThread"/>. 1 (the default): one caller at a time, and the engine spreads each call over the
    /// cores itself.
    /// </summary>
    int Workers => 1;

    /// <summary>Prepares a worker thread (see <see cref="Workers"/>) before its first call; the setting ends with the thread.</summary>
    void EnterWorkerThread() { }
}

/// <summary>TorchSharp: <see cref="ConvAutoencoder.Reconstruct"/> of a model, loaded from a checkpoint or given.</summary>
public sealed class TorchEngine : IDenoiseEngine
{
    private readonly ConvAutoencoder _model;
    private readonly bool _owned;

    /// <summary>Uses <paramref name="model"/> as it is; disposing the engine leaves it alone.</summary>
    public TorchEngine(ConvAutoencoder model)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
    }

    private TorchEngine(ConvAutoencoder model, bool owned) : this(model) => _owned = owned;

    /// <summary>A fresh model with the weights of the checkpoint at <paramref name="path"/> (see <see cref="Checkpoint.Load"/>).</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an intact checkpoint of this network.</exception>
    public static TorchEngine FromCheckpoint(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No checkpoint at {path}.", path);
        var model = new ConvAutoencoder();
        try
        {
            Checkpoint.Load(model, path);
            return new TorchEngine(model, owned: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public string Name => "torch";

    /// <summary>
    /// On the CPU, as many workers as torch has threads, each running the network on one thread
    /// (<see cref="OpenMpSettings.LimitCallingThread"/>); elsewhere, or where that limit cannot be set, 1.
    /// </summary>
    public int Workers =>
        _model.weights["conv1"].device.type == TorchSharp.DeviceType.CPU && OpenMpSettings.CanLimitCallingThread ? Math.Max(get_num_threads(), 1) : 1;

    /// <inheritdoc/>
    public void EnterWorkerThread() => OpenMpSettings.LimitCallingThread(1);

    /// <inheritdoc/>
    public float[] Reconstruct(float[] images, int count)
    {
        Denoiser.CheckBatch(images, count);
        using var scope = NewDisposeScope();
        var device = _model.weights["conv1"].device;
        var input = tensor(images, [count, ConvAutoencoder.ImageSize, ConvAutoencoder.ImageSize, 1]).to(device);
        return _model.Reconstruct(input).cpu().contiguous().data<float>().ToArray();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_owned) _model.Dispose();
    }
}

/// <summary>ONNX Runtime on a file written by <see cref="OnnxExport"/>; needs no libtorch.</summary>
public sealed class OnnxEngine : IDenoiseEngine
{
    private readonly InferenceSession _session;

    private OnnxEngine(InferenceSession session) => _session = session;

    /// <summary>Opens the ONNX model at <paramref name="path"/> with ONNX Runtime's CPU provider.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">ONNX Runtime cannot load the file, or its input/outputs are not the exported autoencoder's.</exception>
    public static OnnxEngine FromFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No ONNX model at {path}: write one with OnnxExport.Save.", path);
        return Open(() => new InferenceSession(path), path);
    }

    /// <summary>Opens an ONNX model held in memory (e.g. <see cref="OnnxExport.ToBytes"/>).</summary>
    /// <exception cref="InvalidDataException">ONNX Runtime cannot load it, or its input/outputs are not the exported autoencoder's.</exception>
    public static OnnxEngine FromBytes(byte[] model) => Open(() => new InferenceSession(model), "the ONNX model");

    private static OnnxEngine Open(Func<InferenceSession> open, string name)
    {
        InferenceSession session;
        try
        {
            session = open();
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{name}: ONNX Runtime cannot load it ({e.Message.Trim()}). Export it again (OnnxExport.Save).", e);
        }
        if (!session.InputMetadata.ContainsKey(OnnxExport.InputName) || !session.OutputMetadata.ContainsKey(OnnxExport.OutputName))
        {
            var found = $"inputs {string.Join(", ", session.InputMetadata.Keys)}; outputs {string.Join(", ", session.OutputMetadata.Keys)}";
            session.Dispose();
            throw new InvalidDataException(
                $"{name}: not this project's autoencoder (expected input '{OnnxExport.InputName}' and output '{OnnxExport.OutputName}'; found {found}).");
        }
        return new OnnxEngine(session);
    }

    /// <inheritdoc/>
    public string Name => "onnx";

    /// <inheritdoc/>
    public float[] Reconstruct(float[] images, int count)
    {
        Denoiser.CheckBatch(images, count);
        using var input = OrtValue.CreateTensorValueFromMemory(images, [count, ConvAutoencoder.ImageSize, ConvAutoencoder.ImageSize, 1]);
        using var options = new RunOptions();
        using var outputs = _session.Run(options, [OnnxExport.InputName], [input], [OnnxExport.OutputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();
}
