namespace MnistDenoise.Model;

/// <summary>One step of the autoencoder's graph: its name, output shape (NHWC) and the parameters it adds.</summary>
public sealed record LayerSummary(string Name, long[] OutputShape, long Parameters)
{
    /// <summary>The output shape written like the tutorial's, e.g. "(N, 14, 14, 64)".</summary>
    public string Shape => "(N, " + string.Join(", ", OutputShape.Skip(1)) + ")";
}
