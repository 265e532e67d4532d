using System.Security.Cryptography;
using MnistDenoise.Model;
using MnistDenoise.Tests.Cli;
using MnistDenoise.Training;
using TorchSharp;

namespace MnistDenoise.Tests.Training;

/// <summary>
/// Crafted checkpoints with a correct (recomputed) checksum: each must be refused with one clear line, never crash the
/// process (a bad generator state aborted it), throw something else, hang (a batch position of 10^15) or print
/// libtorch's stack frames.
/// </summary>
public class HostileCheckpointTests
{
    private static byte[] FreshGeneratorState()
    {
        using var generator = new torch.Generator(43);
        using var state = generator.get_state();
        return state.data<byte>().ToArray();
    }

    private static readonly CheckpointInfo Valid = new()
    {
        Options = new TrainingOptions { TrainSize = 100, BatchSize = 10, Epochs = 1 },
        CompletedSteps = 2,
        StepsPerEpoch = 10,
        BatchesDrawn = 2,
        TrainExamples = 100,
        TrainLabelsSha256 = new string('0', 64),
        StepLosses = [0.6, 0.5],
        Threads = 2,
    };

    private static string Write(string folder, CheckpointInfo info, byte[]? generator = null)
    {
        var path = Path.Combine(folder, "crafted.weights");
        using var model = new ConvAutoencoder(seed: 1);
        Checkpoint.Save(model, path, new SavedTrainingState(info, [], generator ?? FreshGeneratorState()));
        return path;
    }

    public static TheoryData<string, string> BadStates => new()
    {
        { "negative batch position", "batch position -1" },
        { "batch position 10^15", "batch position 1000000000000000" },
        { "negative completed steps", "-3 completed steps" },
        { "more steps than the run has", "11 completed steps" },
        { "step losses missing", "1 step losses for 2 completed steps" },
        { "steps per epoch inconsistent", "7 steps per epoch" },
        { "batch size 0", "training options are invalid" },
        { "threads 100000", "threads 100000" },
        { "generator state too short", "the noise generator's state has 100 bytes" },
        { "generator not seeded", "not a valid mt19937 state" },
        { "generator position past its state", "not a valid mt19937 state" },
    };

    [Theory]
    [MemberData(nameof(BadStates))]
    public void A_crafted_training_state_is_refused_with_one_clear_line(string craft, string expected)
    {
        using var temp = new TestPaths.TempDirectory();
        var generator = FreshGeneratorState();
        var info = Valid;
        switch (craft)
        {
            case "negative batch position": info = info with { BatchesDrawn = -1 }; break;
            case "batch position 10^15": info = info with { BatchesDrawn = 1_000_000_000_000_000 }; break;
            case "negative completed steps": info = info with { CompletedSteps = -3, StepLosses = [] }; break;
            case "more steps than the run has": info = info with { CompletedSteps = 11, BatchesDrawn = 11, StepLosses = [.. Enumerable.Repeat(0.5, 11)] }; break;
            case "step losses missing": info = info with { StepLosses = [0.5] }; break;
            case "steps per epoch inconsistent": info = info with { StepsPerEpoch = 7 }; break;
            case "batch size 0": info = info with { Options = info.Options! with { BatchSize = 0 } }; break;
            case "threads 100000": info = info with { Options = info.Options! with { Threads = 100_000 } }; break;
            case "generator state too short": generator = generator[..100]; break;
            case "generator not seeded": BitConverter.GetBytes(0).CopyTo(generator, 12); break;
            case "generator position past its state": BitConverter.GetBytes(100_000UL).CopyTo(generator, 16); break;
        }
        var path = Write(temp.Path, info, generator);

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Inspect(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains("is damaged or not a weights file of this project", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_valid_state_the_crafted_ones_start_from_is_accepted()
    {
        using var temp = new TestPaths.TempDirectory();
        Assert.Equal(2, Checkpoint.Inspect(Write(temp.Path, Valid)).CompletedSteps);
    }

    // A checkpoint of one entry whose tensor record is written by hand: LEB128 dtype, rank, dimensions, then data.
    private static string WriteRecord(string folder, long dtype, long[] shape, int dataBytes)
    {
        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write7BitEncodedInt64(1);
            writer.Write("weights.conv1");
            writer.Write7BitEncodedInt64(dtype);
            writer.Write7BitEncodedInt64(shape.Length);
            foreach (var d in shape) writer.Write7BitEncodedInt64(d);
            writer.Write(new byte[dataBytes]);
        }
        var bytes = body.ToArray();
        var path = Path.Combine(folder, "record.weights");
        File.WriteAllBytes(path, [.. bytes, .. "MNDN-SHA"u8.ToArray(), .. SHA256.HashData(bytes)]);
        return path;
    }

    [Theory]
    [InlineData(99L, new long[] { 2, 2 }, 16, "has element type 99, which is not one a checkpoint holds")]
    [InlineData(6L, new long[] { 1L << 40, 1L << 40 }, 16, "whose element count overflows")]
    [InlineData(6L, new long[] { 1000, 1000 }, 16, "1000000 elements need 4000000 bytes, but only 16 remain")]
    [InlineData(6L, new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 4, "claims 10 dimensions")]
    public void A_crafted_tensor_record_is_refused_before_libtorch_sees_it(long dtype, long[] shape, int dataBytes, string expected)
    {
        using var temp = new TestPaths.TempDirectory();
        var path = WriteRecord(temp.Path, dtype, shape, dataBytes);
        using var model = new ConvAutoencoder(seed: 1);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model, path));
        Assert.Contains("'weights.conv1'", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("frame #", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Native_error_text_keeps_only_the_first_sentence()
    {
        var native = "numel: integer multiplication overflow\nException raised from computeStorageNbytes at aten/src/ATen/EmptyTensor.cpp:71 (most recent call first):\nframe #0: c10::Error::Error(...) + 0x9e";
        Assert.Equal("numel: integer multiplication overflow", NativeErrors.OneLine(native));
    }

    [Fact]
    public void Resuming_a_checkpoint_with_a_bad_generator_state_exits_with_one_line_instead_of_aborting()
    {
        using var temp = new TestPaths.TempDirectory();
        var generator = FreshGeneratorState();
        BitConverter.GetBytes(0).CopyTo(generator, 8); // mt19937's "left" = 0: libtorch aborts the process on it
        var path = Write(temp.Path, Valid, generator);
        var r = CliRunner.RunIn(null, TimeSpan.FromMinutes(2), "train", "--resume", path, "-o", temp.Path);
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}\n{r.Output}\n{r.Error}");
        Assert.Contains("not a valid mt19937 state", r.Error);
        Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
