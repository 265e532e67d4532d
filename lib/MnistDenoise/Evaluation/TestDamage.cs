namespace MnistDenoise.Evaluation;

/// <summary>
/// How the test images are damaged when a model is scored: always from the same seed, so that two models (or two
/// methods) are compared on exactly the same damaged inputs.
/// </summary>
public static class TestDamage
{
    /// <summary>The seed of the damage done to test images for scoring and pictures.</summary>
    public const int Seed = 1234;
}
