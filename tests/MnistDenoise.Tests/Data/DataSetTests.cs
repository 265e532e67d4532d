using MnistDenoise.Data;

namespace MnistDenoise.Tests.Data;

public sealed class DataSetTests
{
    private const int Pixels = 4;

    /// <summary>Example i has 2×2 pixels all equal to i and label i % 10.</summary>
    private static DataSet Numbered(int count, int? seed = 1, bool oneHot = false, bool reshape = true) => new(
        Enumerable.Range(0, count).SelectMany(i => Enumerable.Repeat((float)i, Pixels)).ToArray(),
        Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray(),
        rows: 2, columns: 2, oneHot, reshape, seed);

    /// <summary>Which examples a batch holds, in order (read back from their pixels).</summary>
    private static int[] Ids(Batch batch) =>
        Enumerable.Range(0, batch.Count).Select(j => (int)batch.Images[j * Pixels]).ToArray();

    private static int[][] Draw(DataSet data, int batchSize, int batches) =>
        Enumerable.Range(0, batches).Select(_ => Ids(data.NextBatch(batchSize))).ToArray();

    [Fact]
    public void EachEpochCoversEveryExampleExactlyOnce()
    {
        DataSet data = Numbered(100);

        for (int epoch = 0; epoch < 3; epoch++)
        {
            int[] seen = Draw(data, 20, 5).SelectMany(ids => ids).ToArray();
            Assert.Equal(Enumerable.Range(0, 100), seen.Order());
        }
    }

    [Fact]
    public void BatchesCarryTheirExamplesPixelsAndLabels()
    {
        DataSet data = Numbered(30);

        Batch batch = data.NextBatch(7);

        Assert.Equal(7 * Pixels, batch.Images.Length);
        for (int j = 0; j < batch.Count; j++)
        {
            int id = (int)batch.Images[j * Pixels];
            Assert.All(batch.Images.AsSpan(j * Pixels, Pixels).ToArray(), p => Assert.Equal(id, p));
            Assert.Equal(id % 10, batch.Labels[j]);
        }
    }

    [Fact]
    public void FirstCallShufflesLikeTensorFlow()
    {
        int[] first = Ids(Numbered(100).NextBatch(10));

        Assert.NotEqual(Enumerable.Range(0, 10), first);
    }

    [Fact]
    public void EpochsCompletedGrowsWhenABatchRunsPastTheEnd()
    {
        DataSet data = Numbered(10);

        data.NextBatch(5);
        data.NextBatch(5);
        Assert.Equal(0, data.EpochsCompleted); // As TF: the epoch is counted when the next batch needs more.
        data.NextBatch(5);
        Assert.Equal(1, data.EpochsCompleted);
        data.NextBatch(5);
        data.NextBatch(5);
        Assert.Equal(2, data.EpochsCompleted);
    }

    [Fact]
    public void BatchAcrossAnEpochBoundaryIsTheOldTailThenTheNewHead()
    {
        DataSet data = Numbered(10);

        int[] a = Ids(data.NextBatch(4));
        int[] b = Ids(data.NextBatch(4));
        int[] across = Ids(data.NextBatch(4));
        Assert.Equal(1, data.EpochsCompleted);
        int[] c = Ids(data.NextBatch(4));
        int[] d = Ids(data.NextBatch(4));

        Assert.Equal(4, across.Length);
        int[] oldTail = Enumerable.Range(0, 10).Except(a).Except(b).Order().ToArray();
        Assert.Equal(oldTail, across[..2].Order());
        Assert.Equal(Enumerable.Range(0, 10), across[2..].Concat(c).Concat(d).Order());
        Assert.Equal(1, data.EpochsCompleted);
    }

    [Fact]
    public void SameSeedGivesTheSameBatches()
    {
        Assert.Equal(Draw(Numbered(50, seed: 42), 15, 8), Draw(Numbered(50, seed: 42), 15, 8));
    }

    [Fact]
    public void DifferentSeedsGiveDifferentBatches()
    {
        Assert.NotEqual(Draw(Numbered(50, seed: 1), 15, 8), Draw(Numbered(50, seed: 2), 15, 8));
    }

    [Fact]
    public void WithoutShufflingBatchesFollowTheFileOrderAndWrapAround()
    {
        DataSet data = Numbered(5);

        Assert.Equal([0, 1, 2], Ids(data.NextBatch(3, shuffle: false)));
        Assert.Equal([3, 4, 0], Ids(data.NextBatch(3, shuffle: false)));
        Assert.Equal([1, 2, 3], Ids(data.NextBatch(3, shuffle: false)));
    }

    [Fact]
    public void ShufflingLeavesTheDataSetsOwnOrderAlone()
    {
        DataSet data = Numbered(20);

        Draw(data, 7, 5);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (float)i), Enumerable.Range(0, 20).Select(i => data.Image(i)[0]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(11)]
    public void BatchSizeOutsideOneToNumExamplesIsRejected(int batchSize)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Numbered(10).NextBatch(batchSize));

        Assert.Equal("batchSize", error.ParamName);
        Assert.Contains("between 1 and the number of examples (10)", error.Message);
    }

    [Fact]
    public void ImageShapeFollowsReshape()
    {
        Assert.Equal([10, 4], Numbered(10, reshape: true).ImageShape);
        Assert.Equal([10, 2, 2, 1], Numbered(10, reshape: false).ImageShape);
        Assert.True(Numbered(10, reshape: true).Reshaped);
        Assert.False(Numbered(10, reshape: false).Reshaped);
    }

    [Fact]
    public void OneHotLabelsHaveASingleOneAtTheLabel()
    {
        DataSet data = Numbered(25);

        float[] oneHot = data.LabelsOneHot();

        Assert.Equal(25 * DataSet.NumClasses, oneHot.Length);
        for (int i = 0; i < 25; i++)
        {
            float[] row = oneHot[(i * 10)..((i + 1) * 10)];
            Assert.Equal(1f, row.Sum());
            Assert.Equal(1f, row[i % 10]);
        }
    }

    [Fact]
    public void BatchesCarryOneHotLabelsOnlyWhenAsked()
    {
        Batch plain = Numbered(10, oneHot: false).NextBatch(3);
        Batch withOneHot = Numbered(10, oneHot: true).NextBatch(3);

        Assert.Null(plain.LabelsOneHot);
        Assert.NotNull(withOneHot.LabelsOneHot);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(1f, withOneHot.LabelsOneHot[j * 10 + withOneHot.Labels[j]]);
            Assert.Equal(1f, withOneHot.LabelsOneHot.AsSpan(j * 10, 10).ToArray().Sum());
        }
    }

    [Fact]
    public void ImageReturnsOneExamplesPixels()
    {
        DataSet data = Numbered(10);

        Assert.Equal([7f, 7f, 7f, 7f], data.Image(7).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Image(10).Length);
    }

    [Fact]
    public void TakeKeepsTheFirstExamplesAndTheSettings()
    {
        DataSet data = Numbered(10, oneHot: true, reshape: false);

        DataSet first = data.Take(4);

        Assert.Equal(4, first.NumExamples);
        Assert.Equal([0, 1, 2, 3], first.Labels);
        Assert.Equal(3f, first.Image(3)[0]);
        Assert.Equal([4, 2, 2, 1], first.ImageShape);
        Assert.True(first.OneHot);
        Assert.Equal(Draw(Numbered(10).Take(4), 2, 6), Draw(first, 2, 6)); // Same seed, same batches.
    }

    [Fact]
    public void FromBytesScalesPixelsToZeroOne()
    {
        DataSet data = DataSet.FromBytes([0, 51, 255, 128], [3], rows: 2, columns: 2);

        Assert.Equal([0f, 0.2f, 1f, 128 / 255f], data.Images);
    }

    [Fact]
    public void ConstructorRejectsLabelsThatAreNotClasses()
    {
        var error = Assert.Throws<ArgumentException>(() => new DataSet(new float[8], [1, 10], rows: 2, columns: 2));

        Assert.Contains("Label 10 at index 1", error.Message);
    }

    [Fact]
    public void ConstructorRejectsImagesThatDoNotMatchTheLabels()
    {
        var error = Assert.Throws<ArgumentException>(() => new DataSet(new float[7], [1, 2], rows: 2, columns: 2));

        Assert.Contains("need 8 pixel values", error.Message);
    }
}
