using System.Text;

namespace MnistDenoise.Inference;

/// <summary>
/// The few protocol-buffer encodings an ONNX file needs (varints and length-delimited fields), written by hand
/// so that exporting needs no protobuf package or generated code. Field numbers are onnx.proto's (see <see cref="OnnxExport"/>).
/// </summary>
/// <remarks>Wire format: https://protobuf.dev/programming-guides/encoding/ (tag = field number · 8 + wire type).</remarks>
internal sealed class Protobuf
{
    private readonly MemoryStream _buffer = new();

    private const int Varint = 0, LengthDelimited = 2;

    public byte[] ToArray() => _buffer.ToArray();

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }

    /// <summary>An int32/int64/enum field (negative values take ten bytes, as protobuf's int64 encoding does).</summary>
    public Protobuf Int(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint(unchecked((ulong)value));
        return this;
    }

    /// <summary>A <c>bytes</c> field.</summary>
    public Protobuf Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    /// <summary>A <c>string</c> field (UTF-8).</summary>
    public Protobuf String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>An embedded message field.</summary>
    public Protobuf Message(int field, Protobuf message) => Bytes(field, message._buffer.GetBuffer().AsSpan(0, (int)message._buffer.Length));

    /// <summary>A repeated int64 field, written unpacked (every parser accepts both forms).</summary>
    public Protobuf Ints(int field, IEnumerable<long> values)
    {
        foreach (var v in values) Int(field, v);
        return this;
    }
}
