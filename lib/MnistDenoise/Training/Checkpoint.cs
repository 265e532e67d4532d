using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using MnistDenoise.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Training;

/// <summary>
/// Saves and loads the autoencoder's weights in TorchSharp's state-dict format (readable by <c>Module.load</c>),
/// atomically, followed by an optional training state (for resuming, see <see cref="Trainer.SaveCheckpoint"/>) and a
/// SHA-256 of everything before it. On load the checksum is verified before anything is parsed, and every name and
/// shape must match the model before any weight changes: a truncated, altered or foreign file is refused whole.
/// </summary>
/// <remarks>
/// The checksum detects damage and edits, not forgery: whoever can write the file can rewrite the checksum. Loading
/// never runs code from the file (it is not a pickle), so a hostile file can at worst be refused.
/// Files written by TorchSharp's own <c>Module.save</c> carry no checksum; they are accepted and checked by names and shapes.
/// </remarks>
public static class Checkpoint
{
    /// <summary>The file name the command line and the notebooks use.</summary>
    public const string DefaultFileName = "autoencoder.weights";

    /// <summary>Checkpoints larger than this are refused before being read (this model's, with training state, is about 4 MB).</summary>
    public const long MaxFileBytes = 512L << 20;

    private static ReadOnlySpan<byte> TrailerMagic => "MNDN-SHA"u8;
    private static ReadOnlySpan<byte> StateMagic => "MNDN-TRAINING-STATE"u8;
    private const int TrailerSize = 8 + 32;
    // Format 2: Adam's state is TfAdamOptimizer's (TF1's update). Format 1 held TorchSharp's Adam; its weights still load.
    private const int StateVersion = 2;

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes the model's weights to <paramref name="path"/> (temporary file, then rename).</summary>
    public static void Save(ConvAutoencoder model, string path) => Save(model, path, null);

    internal static void Save(ConvAutoencoder model, string path, SavedTrainingState? state)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            // TorchSharp's Module.save layout: entry count (7-bit encoded), then name and tensor per entry.
            // Tensors are written from contiguous CPU copies: channels-last or GPU memory cannot be saved as is.
            var weights = model.state_dict();
            writer.Write7BitEncodedInt64(weights.Count);
            foreach (var (name, tensor) in weights)
            {
                writer.Write(name);
                using var copy = tensor.detach().cpu().contiguous();
                copy.Save(writer);
            }
            if (state is not null)
            {
                writer.Write(StateMagic);
                writer.Write(StateVersion);
                writer.Write(JsonSerializer.Serialize(state.Info, Json));
                writer.Write(state.Optimizer.Length);
                writer.Write(state.Optimizer);
                writer.Write(state.NoiseGenerator.Length);
                writer.Write(state.NoiseGenerator);
            }
        }
        var hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        AtomicFile.Write(path, stream =>
        {
            stream.Write(body.GetBuffer(), 0, (int)body.Length);
            stream.Write(TrailerMagic);
            stream.Write(hash);
        });
    }

    /// <summary>
    /// Loads weights saved by <see cref="Save(ConvAutoencoder, string)"/> (or <see cref="Trainer.SaveCheckpoint"/>) into
    /// <paramref name="model"/>. The model is changed only if the whole file is intact and matches it.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, altered, not a checkpoint, or does not match the model; the message lists every difference.</exception>
    public static void Load(ConvAutoencoder model, string path)
    {
        var (weights, _) = Read(path);
        try
        {
            CopyInto(model, weights, path);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    /// <summary>
    /// What a checkpoint says about the run that wrote it: its options and how far it got, or null options when the
    /// file holds weights only (saved by <see cref="Save(ConvAutoencoder, string)"/> or TorchSharp).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged, altered or not a checkpoint.</exception>
    public static CheckpointInfo Inspect(string path)
    {
        var (weights, state) = Read(path);
        foreach (var t in weights.Values) t.Dispose();
        return state?.Info ?? new CheckpointInfo();
    }

    internal static void CopyInto(ConvAutoencoder model, Dictionary<string, Tensor> stored, string path)
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

        // Into the live parameters (state_dict gives row-major copies of the kernels, see KernelLayout).
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters())
                parameter.copy_(stored[name]);
    }

    /// <summary>Reads and verifies the whole file; the caller owns (disposes) the tensors.</summary>
    internal static (Dictionary<string, Tensor> Weights, SavedTrainingState? State) Read(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"No checkpoint at '{path}'. Train first or pass the right path.", path);

        // A device (/dev/zero reports length 0 and never ends) or a FIFO (blocks forever) is refused before it is
        // opened, and the read stops at the cap whatever length the file system reports.
        byte[] bytes;
        try { bytes = RegularFile.ReadAllBytes(path, MaxFileBytes); }
        catch (InvalidDataException e) { throw Damaged(path, e.Message.Replace($"'{path}' ", "it "), null); }
        var body = bytes.AsSpan();
        if (bytes.Length >= TrailerSize && bytes.AsSpan(bytes.Length - TrailerSize, 8).SequenceEqual(TrailerMagic))
        {
            body = bytes.AsSpan(0, bytes.Length - TrailerSize);
            var recorded = bytes.AsSpan(bytes.Length - 32);
            var actual = SHA256.HashData(body);
            if (!actual.AsSpan().SequenceEqual(recorded))
                throw Damaged(path, $"its content does not match the SHA-256 recorded in it (recorded {Convert.ToHexStringLower(recorded)}, " +
                    $"actual {Convert.ToHexStringLower(actual)}): it was altered or damaged after saving", null);
        }

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, body.Length, writable: false));
            var count = reader.Read7BitEncodedInt64();
            if (count is < 0 or > 10_000) throw new InvalidDataException($"it claims {count} entries");
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                if (tensors.ContainsKey(name)) throw new InvalidDataException($"'{name}' appears twice");
                tensors[name] = TensorRecord.Read(reader, $"'{name}'");
            }
            SavedTrainingState? state = null;
            var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
            if (remaining > 0)
            {
                if (remaining < StateMagic.Length || !reader.ReadBytes(StateMagic.Length).AsSpan().SequenceEqual(StateMagic))
                    throw new InvalidDataException($"{remaining} bytes follow the last entry");
                var version = reader.ReadInt32();
                if (version == 1)
                    return (tensors, null); // weights of an older build: usable, but its optimizer state is not this one's
                if (version != StateVersion)
                    throw new InvalidDataException($"its training state has format {version}; this version reads format {StateVersion}");
                CheckpointInfo info;
                try
                {
                    info = JsonSerializer.Deserialize<CheckpointInfo>(reader.ReadString(), Json)
                        ?? throw new InvalidDataException("its training state is empty");
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"its training state is not valid JSON ({e.Message})", e);
                }
                var optimizer = reader.ReadBytes(Length(reader));
                var generator = reader.ReadBytes(Length(reader));
                if (reader.BaseStream.Position != reader.BaseStream.Length)
                    throw new InvalidDataException($"{reader.BaseStream.Length - reader.BaseStream.Position} bytes follow the training state");
                state = new SavedTrainingState(info, optimizer, generator);
                TrainingStateCheck.Check(state);
            }
            return (tensors, state);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw Damaged(path, NativeErrors.OneLine(e), e);
        }

        static int Length(BinaryReader reader)
        {
            var n = reader.ReadInt32();
            return n >= 0 && n <= reader.BaseStream.Length - reader.BaseStream.Position
                ? n : throw new InvalidDataException($"a block claims {n} bytes");
        }
    }

    private static InvalidDataException Damaged(string path, string why, Exception? inner) => new(
        $"Checkpoint '{path}' is damaged or not a weights file of this project ({why}). " +
        "Delete it and train again, or pick the right file.", inner);

    private static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";
}
