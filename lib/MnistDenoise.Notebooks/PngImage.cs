namespace MnistDenoise.Notebooks;

/// <summary>
/// A PNG picture to display. Notebooks store it as a real <c>image/png</c> output, so it shows on GitHub and
/// nbviewer without running anything; text-only viewers get <see cref="ToString"/>.
/// </summary>
/// <param name="Bytes">The encoded PNG file, e.g. from <c>ImageGrid.ToPng</c>.</param>
/// <param name="Caption">One line saying what the picture shows.</param>
public sealed record PngImage(byte[] Bytes, string Caption)
{
    /// <summary>The MIME type notebooks store the picture under.</summary>
    public const string MimeType = "image/png";

    /// <summary>Width in pixels, read from the PNG header.</summary>
    public int Width => ReadBigEndian(16);

    /// <summary>Height in pixels, read from the PNG header.</summary>
    public int Height => ReadBigEndian(20);

    /// <summary>"[PNG 254×92] caption".</summary>
    public override string ToString() => $"[PNG {Width}×{Height}] {Caption}";

    private int ReadBigEndian(int offset) =>
        Bytes.Length >= offset + 4 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(Bytes.AsSpan(offset, 4)) : 0;
}
