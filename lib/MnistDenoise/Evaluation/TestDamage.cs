namespace MnistDenoise.Evaluation;

/// <summary>How test images are damaged for scoring: from one fixed seed, so every model and baseline sees the same inputs.</summary>
public static class TestDamage
{
    /// <summary>The seed of the test damage's generator.</summary>
    public const int Seed = 1234;
}
