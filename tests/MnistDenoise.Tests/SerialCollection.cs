namespace MnistDenoise.Tests;

/// <summary>
/// Tests that measure the whole process (resident memory) run alone, after the parallel ones: other test
/// classes allocating at the same time would otherwise be counted against them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial: measures the whole process";
}
