using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Training;

/// <summary>One tensor in TorchSharp's file format, read with every header field checked before libtorch sees it.</summary>
internal static class TensorRecord
{
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
    internal static Tensor Read(BinaryReader reader, string what)
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
}
