namespace MnistDenoise.Data;

/// <summary>A mini-batch drawn by <see cref="DataSet.NextBatch"/>.</summary>
/// <param name="Images">Count × image-size pixel values in [0, 1], row-major.</param>
/// <param name="Labels">Count class labels.</param>
/// <param name="LabelsOneHot">Count × 10 one-hot labels when the data set is <see cref="DataSet.OneHot"/>, else <c>null</c>.</param>
public sealed record Batch(float[] Images, byte[] Labels, float[]? LabelsOneHot)
{
    /// <summary>Number of examples in the batch.</summary>
    public int Count => Labels.Length;
}
