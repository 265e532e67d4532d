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

        using (no_grad())
            foreach (var (name, tensor) in expected)
                tensor.copy_(stored[name]);
    }

    /// <summary>Reads and verifies the whole file; the caller owns (disposes) the tensors.</summary>
    internal static (Dictionary<string, Tensor> Weights, SavedTrainingState? State) Read(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"No checkpoint at '{path}'. Train first or pass the right path.", path);
        Runtime.LibTorchLoader.EnsureLoaded(); // the tensors are parsed by TorchSharp

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
                tensors[name] = ReadTensor(reader, $"'{name}'");
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
                CheckTrainingState(state);
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

    /// <summary>The element types a tensor record may have (everything this project, TorchSharp's saves and the optimizer write).</summary>
    private static readonly IReadOnlyDictionary<ScalarType, int> ElementSizes = new Dictionary<ScalarType, int>
    {
        [ScalarType.Byte] = 1,
        [ScalarType.Int8] = 1,
        [ScalarType.Bool] = 1,
        [ScalarType.Int16] = 2,
        [ScalarType.Float16] = 2,
        [ScalarType.BFloat16] = 2,
        [ScalarType.Int32] = 4,
        [ScalarType.Float32] = 4,
        [ScalarType.Int64] = 8,
        [ScalarType.Float64] = 8,
    };

    /// <summary>Most dimensions a tensor record may have.</summary>
    private const int MaxDimensions = 8;

    /// <summary>
    /// Reads one tensor record in TorchSharp's format (LEB128 dtype, rank, dimensions, then the raw elements) from
    /// <paramref name="reader"/>, after checking its header: a known dtype, at most 8 dimensions, none negative, an
    /// element count that does not overflow, and no more bytes than remain in the stream. Only then is it handed to
    /// TorchSharp's <c>TensorExtensionMethods.Load</c>, so a crafted record can only be refused, never allocate
    /// gigabytes, hang or reach libtorch with an impossible shape. Native errors become one line without stack frames.
    /// </summary>
    /// <param name="reader">Positioned at the record; a seekable stream (the whole file is in memory).</param>
    /// <param name="what">Names the tensor in messages, e.g. <c>'weights.conv1'</c> or <c>Adam's first moment of 'weights.conv1'</c>.</param>
    /// <exception cref="InvalidDataException">The record is malformed; the message names <paramref name="what"/> and the problem.</exception>
    internal static Tensor ReadTensor(BinaryReader reader, string what)
    {
        var stream = reader.BaseStream;
        var start = stream.Position;
        var dtype = Leb128(reader, what, "its element type");
        if (dtype > int.MaxValue || !ElementSizes.TryGetValue((ScalarType)(int)dtype, out var elementSize))
            throw new InvalidDataException($"{what} has element type {dtype}, which is not one a checkpoint holds ({string.Join(", ", ElementSizes.Keys)})");
        var rank = Leb128(reader, what, "its rank");
        if (rank > MaxDimensions)
            throw new InvalidDataException($"{what} claims {rank} dimensions; at most {MaxDimensions} are allowed");
        var shape = new long[rank];
        long elements = 1;
        for (var i = 0; i < rank; i++)
        {
            shape[i] = Leb128(reader, what, $"dimension {i}");
            try { elements = checked(elements * shape[i]); }
            catch (OverflowException)
            {
                throw new InvalidDataException($"{what} has shape ({string.Join(", ", shape[..(i + 1)])}, …), whose element count overflows");
            }
        }
        var remaining = stream.Length - stream.Position;
        if (elements > remaining / elementSize)
            throw new InvalidDataException(
                $"{what} has shape ({string.Join(", ", shape)}) of {(ScalarType)(int)dtype}: {elements} elements need {(decimal)elements * elementSize} bytes, but only {remaining} remain");
        stream.Position = start;
        try
        {
            return TensorExtensionMethods.Load(reader, skip: false);
        }
        catch (Exception e) when (e is ExternalException or ArgumentException or NotImplementedException or InvalidOperationException)
        {
            throw new InvalidDataException($"{what} could not be read: {NativeErrors.OneLine(e)}", e);
        }

        // TorchSharp's LEB128 decoder has no length limit and wraps silently; this one refuses what a long cannot hold.
        static long Leb128(BinaryReader reader, string what, string field)
        {
            long value = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > 56) throw new InvalidDataException($"{what}: {field} is not a valid number (too many bytes)");
                var b = reader.ReadByte();
                value |= (long)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value >= 0 ? value : throw new InvalidDataException($"{what}: {field} is negative");
            }
        }
    }

    /// <summary>Most training images a saved batch position may stand for: 1000 epochs (the limit) of all 60,000 (replaying it takes about a second).</summary>
    private const long MaxImagesDrawn = 1000L * 60_000;

    private static readonly Lazy<int> GeneratorStateLength = new(() =>
    {
        using var generator = new Generator(1);
        using var state = generator.get_state();
        return (int)state.NumberOfElements;
    });

    // Every field of the training state, before anything uses it: a crafted file (with a recomputed checksum) must
    // be refused here, not crash libtorch (a bad generator state aborts the process), throw later or hang.
    private static void CheckTrainingState(SavedTrainingState state)
    {
        var info = state.Info;
        var options = info.Options ?? throw new InvalidDataException("its training state has no options");
        try
        {
            // The thread count is checked against the absolute limit below: the run may come from a bigger machine.
            (options with { Threads = null }).Validate();
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or FormatException)
        {
            throw new InvalidDataException($"its training options are invalid: {e.Message.Split(" (Parameter")[0]}");
        }
        void Require(bool ok, string problem) { if (!ok) throw new InvalidDataException($"its training state is invalid: {problem}"); }
        Require(options.Threads is null or >= 1 and <= TrainingLimits.MaxThreads, $"threads {options.Threads} (use 1 to {TrainingLimits.MaxThreads})");
        Require(info.Threads is >= 0 and <= TrainingLimits.MaxThreads, $"recorded threads {info.Threads} (use 0 to {TrainingLimits.MaxThreads})");
        Require(info.TrainExamples is >= 0 and <= 60_000, $"{info.TrainExamples} training images (at most 60,000)");
        Require(info.StepsPerEpoch >= 0 && info.StepsPerEpoch == (info.TrainExamples == 0 ? 0 : info.TrainExamples / options.BatchSize),
            $"{info.StepsPerEpoch} steps per epoch, but {info.TrainExamples} images in batches of {options.BatchSize} make {info.TrainExamples / Math.Max(1, options.BatchSize)}");
        Require(info.CompletedSteps >= 0 && (long)info.CompletedSteps <= (long)options.Epochs * info.StepsPerEpoch,
            $"{info.CompletedSteps} completed steps, outside 0 to {(long)options.Epochs * info.StepsPerEpoch} ({options.Epochs} epoch(s) of {info.StepsPerEpoch})");
        var maxBatches = MaxImagesDrawn / options.BatchSize;
        Require(info.BatchesDrawn >= info.CompletedSteps && info.BatchesDrawn <= maxBatches,
            $"batch position {info.BatchesDrawn}, outside {info.CompletedSteps} to {maxBatches}");
        Require(info.StepLosses is not null && info.StepLosses.Count == info.CompletedSteps,
            $"{info.StepLosses?.Count ?? 0} step losses for {info.CompletedSteps} completed steps");
        Require(info.StepLosses!.All(double.IsFinite), "a step loss is not a finite number");
        Require(info.TrainLabelsSha256 is null || (info.TrainLabelsSha256.Length == 64 && info.TrainLabelsSha256.All(Uri.IsHexDigit)),
            "the training labels' SHA-256 is not 64 hex digits");

        // The noise generator's state (libtorch's CPU mt19937 state): the length of a fresh one, and the three fields
        // libtorch checks itself (a failed check there aborts the process instead of throwing).
        var generator = state.NoiseGenerator;
        Require(generator.Length == GeneratorStateLength.Value,
            $"the noise generator's state has {generator.Length} bytes; this libtorch's has {GeneratorStateLength.Value}");
        if (generator.Length >= 24)
        {
            var left = BitConverter.ToInt32(generator, 8);
            var seeded = BitConverter.ToInt32(generator, 12);
            var next = BitConverter.ToUInt64(generator, 16);
            Require(left is >= 1 and <= 624 && seeded == 1 && next <= 624,
                $"the noise generator's state is not a valid mt19937 state (left {left}, seeded {seeded}, next {next})");
        }
    }

    private static InvalidDataException Damaged(string path, string why, Exception? inner) => new(
        $"Checkpoint '{path}' is damaged or not a weights file of this project ({why}). " +
        "Delete it and train again, or pick the right file.", inner);

    private static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";
}

/// <summary>What <see cref="Trainer.SaveCheckpoint"/> stores besides the weights: Adam's state and the noise generator's.</summary>
internal sealed record SavedTrainingState(CheckpointInfo Info, byte[] Optimizer, byte[] NoiseGenerator);

/// <summary>
/// The run a checkpoint came from (all null/0 for a weights-only file). A resumed run must match its options except
/// <see cref="TrainingOptions.Epochs"/> (it may train longer), <see cref="TrainingOptions.Threads"/> and
/// <see cref="TrainingOptions.Device"/>.
/// </summary>
public sealed record CheckpointInfo
{
    /// <summary>The options of the run, or null for a weights-only file.</summary>
    public TrainingOptions? Options { get; init; }

    /// <summary>Steps finished in the run (epochs × steps per epoch when it completed).</summary>
    public int CompletedSteps { get; init; }

    /// <summary>Steps in one epoch of the run (training images // batch size).</summary>
    public int StepsPerEpoch { get; init; }

    /// <summary>Batches drawn from the run's shuffled view of the training set (to rebuild its order).</summary>
    public long BatchesDrawn { get; init; }

    /// <summary>Training images the run used.</summary>
    public int TrainExamples { get; init; }

    /// <summary>SHA-256 of those images' labels, to recognise the same training set.</summary>
    public string? TrainLabelsSha256 { get; init; }

    /// <summary>Loss of every finished step of the run, in order.</summary>
    public IReadOnlyList<double> StepLosses { get; init; } = [];

    /// <summary>Torch intra-op threads of the run (resuming with another count gives close, not bitwise equal, weights).</summary>
    public int Threads { get; init; }

    /// <summary>Whether the file can be resumed from (it carries the training state).</summary>
    public bool HasTrainingState => Options is not null;

    /// <summary>1-based epoch and step of the last finished step (0, 0 before the first).</summary>
    public (int Epoch, int Step) Position => CompletedSteps == 0 || StepsPerEpoch == 0
        ? (0, 0) : ((CompletedSteps - 1) / StepsPerEpoch + 1, (CompletedSteps - 1) % StepsPerEpoch + 1);
}
