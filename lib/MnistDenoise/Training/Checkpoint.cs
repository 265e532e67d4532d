using MnistDenoise.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Training;

/// <summary>
/// Saves and loads the autoencoder's weights in TorchSharp's state-dict format (readable by
/// <c>Module.load</c>), atomically, and checks on load that every name and shape matches the model.
/// </summary>
public static class Checkpoint
{
    /// <summary>The file name the command line and the notebooks use.</summary>
    public const string DefaultFileName = "autoencoder.weights";

    /// <summary>Writes the model's weights to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save(ConvAutoencoder model, string path)
    {
        var state = model.state_dict();
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            // TorchSharp's Module.save layout: entry count (7-bit encoded), then name and tensor per entry.
            // Tensors are written from contiguous CPU copies: channels-last or GPU memory cannot be saved as is.
            writer.Write7BitEncodedInt64(state.Count);
            foreach (var (name, tensor) in state)
            {
                writer.Write(name);
                using var copy = tensor.detach().cpu().contiguous();
                copy.Save(writer);
            }
        });
    }

    /// <summary>
    /// Loads weights saved by <see cref="Save"/> into <paramref name="model"/>. The model is changed only if
    /// the whole file is readable and matches it.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, not a checkpoint, or does not match the model; the message lists every difference.</exception>
    public static void Load(ConvAutoencoder model, string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No checkpoint at '{path}'. Train first (mnist-denoise train, or notebook 04) or pass the right path.", path);

        var stored = Read(path);
        try
        {
            var expected = model.state_dict();
            var problems = new List<string>();
            foreach (var name in expected.Keys.Except(stored.Keys))
                problems.Add($"missing '{name}' (expected shape {Shape(expected[name])})");
            foreach (var name in stored.Keys.Except(expected.Keys))
                problems.Add($"unexpected '{name}' (shape {Shape(stored[name])}) that the model does not have");
            foreach (var name in expected.Keys.Intersect(stored.Keys))
            {
                var (want, got) = (expected[name], stored[name]);
                if (!want.shape.SequenceEqual(got.shape))
                    problems.Add($"'{name}' has shape {Shape(got)} in the file but {Shape(want)} in the model");
                else if (want.dtype != got.dtype)
                    problems.Add($"'{name}' is {got.dtype} in the file but {want.dtype} in the model");
            }
            if (problems.Count > 0)
                throw new InvalidDataException(
                    $"Checkpoint '{path}' does not match the tutorial's autoencoder: {string.Join("; ", problems)}. " +
                    "It was saved from a different model; retrain, or load it into the model it came from.");

            using (no_grad())
                foreach (var (name, tensor) in expected)
                    tensor.copy_(stored[name]);
        }
        finally
        {
            foreach (var t in stored.Values) t.Dispose();
        }
    }

    private static Dictionary<string, Tensor> Read(string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            var count = reader.Read7BitEncodedInt64();
            if (count is < 0 or > 10_000) throw new InvalidDataException($"it claims {count} entries");
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                tensors[name] = TensorExtensionMethods.Load(reader, skip: false);
            }
            if (reader.BaseStream.Position != reader.BaseStream.Length)
                throw new InvalidDataException($"{reader.BaseStream.Length - reader.BaseStream.Position} bytes follow the last entry");
            return tensors;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new InvalidDataException(
                $"Checkpoint '{path}' is damaged or not a weights file of this project ({e.Message}). " +
                "Delete it and train again, or pick the right file.", e);
        }
    }

    private static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";
}
