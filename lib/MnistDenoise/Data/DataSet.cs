namespace MnistDenoise.Data;

/// <summary>
/// Images and labels held in memory, with mini-batches drawn the way TensorFlow's
/// <c>tensorflow.contrib.learn.python.learn.datasets.mnist.DataSet.next_batch</c> draws them.
/// Not thread-safe.
/// </summary>
/// <remarks>
/// Unlike TensorFlow, which reorders its arrays in place, shuffling here only reorders an index, so
/// <see cref="Images"/>, <see cref="Labels"/> and <see cref="Image"/> keep the file's order.
/// </remarks>
public sealed class DataSet
{
    /// <summary>Number of classes (digits 0–9, or Fashion-MNIST's ten kinds of clothing).</summary>
    public const int NumClasses = 10;

    private readonly int? _seed;
    private readonly Random _random;
    private readonly int[] _order;
    private int _indexInEpoch;

    /// <summary>
    /// Wraps <paramref name="images"/> (N × rows × columns values, row-major; not copied) and
    /// <paramref name="labels"/> (N values below <see cref="NumClasses"/>; not copied).
    /// </summary>
    /// <param name="images">Pixel values, image after image.</param>
    /// <param name="labels">One label per image.</param>
    /// <param name="rows">Height of an image.</param>
    /// <param name="columns">Width of an image.</param>
    /// <param name="oneHot">Whether batches carry one-hot labels too (TF's <c>one_hot</c>).</param>
    /// <param name="reshape">Whether <see cref="ImageShape"/> is [N, rows·columns] rather than [N, rows, columns, 1] (TF's <c>reshape</c>).</param>
    /// <param name="seed">Seed of the shuffling; <c>null</c> for a different order each run.</param>
    public DataSet(
        float[] images, byte[] labels, int rows = 28, int columns = 28, bool oneHot = false, bool reshape = true, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (images.Length != (long)labels.Length * rows * columns)
        {
            throw new ArgumentException(
                $"{labels.Length} labels need {(long)labels.Length * rows * columns} pixel values of {rows}×{columns} images, got {images.Length}.",
                nameof(images));
        }

        int badLabel = IndexOfBadLabel(labels);
        if (badLabel >= 0)
        {
            throw new ArgumentException($"Label {labels[badLabel]} at index {badLabel} is not below {NumClasses}.", nameof(labels));
        }

        Images = images;
        Labels = labels;
        Rows = rows;
        Columns = columns;
        OneHot = oneHot;
        Reshaped = reshape;
        _seed = seed;
        _random = seed is { } s ? new Random(s) : new Random();
        _order = Enumerable.Range(0, labels.Length).ToArray();
    }

    /// <summary>
    /// Makes a data set from raw bytes as stored in IDX files, scaling each pixel to <c>value / 255f</c> in [0, 1].
    /// </summary>
    /// <param name="pixels">Pixel bytes, image after image.</param>
    /// <param name="labels">One label per image (copied).</param>
    /// <param name="rows">Height of an image.</param>
    /// <param name="columns">Width of an image.</param>
    /// <param name="oneHot">Whether batches carry one-hot labels too.</param>
    /// <param name="reshape">Whether images are seen as flat vectors.</param>
    /// <param name="seed">Seed of the shuffling; <c>null</c> for a different order each run.</param>
    public static DataSet FromBytes(
        ReadOnlySpan<byte> pixels, ReadOnlySpan<byte> labels, int rows, int columns, bool oneHot = false, bool reshape = true, int? seed = null)
    {
        var images = new float[pixels.Length];
        for (int i = 0; i < pixels.Length; i++)
        {
            images[i] = pixels[i] / 255f;
        }

        return new DataSet(images, labels.ToArray(), rows, columns, oneHot, reshape, seed);
    }

    /// <summary>The index of the first label that is not below <see cref="NumClasses"/>, or -1 when all are valid.</summary>
    internal static int IndexOfBadLabel(ReadOnlySpan<byte> labels) => labels.IndexOfAnyInRange((byte)NumClasses, byte.MaxValue);

    /// <summary>All pixel values, <see cref="NumExamples"/> × <see cref="ImageSize"/>, row-major, in [0, 1].</summary>
    public float[] Images { get; }

    /// <summary>Class label of each example.</summary>
    public byte[] Labels { get; }

    /// <summary>Height of an image in pixels.</summary>
    public int Rows { get; }

    /// <summary>Width of an image in pixels.</summary>
    public int Columns { get; }

    /// <summary>Pixels per image (784 for MNIST).</summary>
    public int ImageSize => Rows * Columns;

    /// <summary>Number of examples.</summary>
    public int NumExamples => Labels.Length;

    /// <summary>Whether images are seen as flat vectors (TF's <c>reshape=True</c>).</summary>
    public bool Reshaped { get; }

    /// <summary>Whether batches carry one-hot labels (TF's <c>one_hot=True</c>).</summary>
    public bool OneHot { get; }

    /// <summary>Shape of <see cref="Images"/>: [N, 784] when <see cref="Reshaped"/>, else [N, 28, 28, 1] (NHWC, as TF).</summary>
    public IReadOnlyList<int> ImageShape => Reshaped ? [NumExamples, ImageSize] : [NumExamples, Rows, Columns, 1];

    /// <summary>Number of full passes <see cref="NextBatch"/> has made over the data.</summary>
    public int EpochsCompleted { get; private set; }

    /// <summary>The pixels of example <paramref name="index"/> (<see cref="ImageSize"/> values).</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, NumExamples);
        return Images.AsSpan(index * ImageSize, ImageSize);
    }

    /// <summary>Labels as one-hot rows: <see cref="NumExamples"/> × <see cref="NumClasses"/> values, 1 at the label, else 0.</summary>
    public float[] LabelsOneHot() => ToOneHot(Labels);

    /// <summary>
    /// The next <paramref name="batchSize"/> examples, exactly as TF's <c>next_batch</c>: the order is shuffled at the
    /// very first call; when fewer than <paramref name="batchSize"/> examples remain in the epoch, the batch takes
    /// them, <see cref="EpochsCompleted"/> grows by one, the order is reshuffled and the batch is filled up from
    /// the start of the new epoch.
    /// </summary>
    /// <param name="batchSize">Examples per batch, 1 to <see cref="NumExamples"/>.</param>
    /// <param name="shuffle">Whether to shuffle at the start of each epoch (TF's <c>shuffle</c>).</param>
    public Batch NextBatch(int batchSize, bool shuffle = true) => Gather(NextIndices(batchSize, shuffle));

    /// <summary>
    /// Moves on as <paramref name="batches"/> calls of <see cref="NextBatch"/> would, without copying any images: the
    /// order and position afterwards are the same. Resuming training uses it to rebuild the shuffle state of an
    /// interrupted run from its seed (<see cref="System.Random"/> has no state to save).
    /// </summary>
    public void Skip(long batches, int batchSize, bool shuffle = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batches);
        for (long i = 0; i < batches; i++)
        {
            NextIndices(batchSize, shuffle);
        }
    }

    private int[] NextIndices(int batchSize, bool shuffle)
    {
        if (batchSize <= 0 || batchSize > NumExamples)
        {
            throw new ArgumentOutOfRangeException(
                nameof(batchSize), batchSize, $"The batch size must be between 1 and the number of examples ({NumExamples}).");
        }

        int start = _indexInEpoch;
        if (EpochsCompleted == 0 && start == 0 && shuffle)
        {
            _random.Shuffle(_order);
        }

        var indices = new int[batchSize];
        if (start + batchSize > NumExamples)
        {
            EpochsCompleted++;
            int rest = NumExamples - start;
            _order.AsSpan(start, rest).CopyTo(indices);
            if (shuffle)
            {
                _random.Shuffle(_order);
            }

            _indexInEpoch = batchSize - rest;
            _order.AsSpan(0, _indexInEpoch).CopyTo(indices.AsSpan(rest));
        }
        else
        {
            _order.AsSpan(start, batchSize).CopyTo(indices);
            _indexInEpoch += batchSize;
        }

        return indices;
    }

    /// <summary>A new data set of the first <paramref name="count"/> examples (copied), with the same settings and seed; handy for quick runs.</summary>
    public DataSet Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, NumExamples);
        return new DataSet(Images[..(count * ImageSize)], Labels[..count], Rows, Columns, OneHot, Reshaped, _seed);
    }

    private Batch Gather(int[] indices)
    {
        var images = new float[indices.Length * ImageSize];
        var labels = new byte[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            Image(indices[i]).CopyTo(images.AsSpan(i * ImageSize, ImageSize));
            labels[i] = Labels[indices[i]];
        }

        return new Batch(images, labels, OneHot ? ToOneHot(labels) : null);
    }

    private static float[] ToOneHot(byte[] labels)
    {
        var oneHot = new float[labels.Length * NumClasses];
        for (int i = 0; i < labels.Length; i++)
        {
            oneHot[i * NumClasses + labels[i]] = 1f;
        }

        return oneHot;
    }
}
