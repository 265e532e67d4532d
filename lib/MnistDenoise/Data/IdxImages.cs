namespace MnistDenoise.Data;

/// <summary>The content of an IDX image file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> bytes, row-major.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Height of an image in pixels.</param>
/// <param name="Columns">Width of an image in pixels.</param>
/// <param name="Pixels">All pixels, image after image (Count × Rows × Columns bytes, 0 = background).</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels)
{
    /// <summary>Pixels per image (Rows × Columns).</summary>
    public int ImageSize => Rows * Columns;
}
