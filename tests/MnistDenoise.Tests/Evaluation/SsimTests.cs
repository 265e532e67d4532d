using System.Text.Json;
using MnistDenoise.Evaluation;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Evaluation;

public class SsimTests
{
    private sealed record Pair(string Name, double Ssim, float[] A, float[] B);

    private sealed record Fixture(string Reference, int Side, Pair[] Pairs);

    /// <summary>tests/fixtures/ssim/ssim.json, made by make_fixture.py beside it with scikit-image (see its header).</summary>
    private static readonly Lazy<Fixture> Reference = new(() => JsonSerializer.Deserialize<Fixture>(
        File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "tests", "fixtures", "ssim", "ssim.json")),
        new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!);

    [Fact]
    public void Matches_scikit_image_on_the_fixture_pairs_one_by_one_and_batched()
    {
        var fixture = Reference.Value;
        Assert.Contains("scikit-image", fixture.Reference);
        Assert.True(fixture.Pairs.Length >= 6);
        foreach (var pair in fixture.Pairs)
            Assert.True(Math.Abs(Ssim.Between(pair.A, pair.B) - pair.Ssim) < 1e-6, $"{pair.Name}: {Ssim.Between(pair.A, pair.B)} vs scikit-image {pair.Ssim}");

        var n = fixture.Pairs.Length;
        using var a = tensor(fixture.Pairs.SelectMany(p => p.A).ToArray(), [n, 28, 28, 1]);
        using var b = tensor(fixture.Pairs.SelectMany(p => p.B).ToArray(), [n, 28, 28, 1]);
        using var batched = Ssim.PerImage(a, b);
        Assert.Equal(new long[] { n }, batched.shape);
        for (var i = 0; i < n; i++)
            Assert.Equal(fixture.Pairs[i].Ssim, batched[i].item<double>(), 6);
    }

    [Fact]
    public void Is_one_for_identical_images_symmetric_and_lower_for_more_damage()
    {
        using var clean = tensor(SharedMnist.Test.Images[..(8 * 784)], [8, 28, 28, 1]);
        using var same = Ssim.PerImage(clean, clean);
        Assert.True(same.allclose(ones_like(same), atol: 1e-12));
        using var light = MnistDenoise.Corruption.GaussianNoise.Apply(clean, 0.1, new Generator(1));
        using var heavy = MnistDenoise.Corruption.GaussianNoise.Apply(clean, 0.5, new Generator(1));
        using var ab = Ssim.PerImage(clean, light);
        using var ba = Ssim.PerImage(light, clean);
        Assert.True(ab.allclose(ba, atol: 1e-12));
        using var worse = Ssim.PerImage(clean, heavy);
        Assert.True((worse < ab).all().item<bool>());
    }

    [Fact]
    public void Rejects_batches_of_different_shapes_or_smaller_than_the_window()
    {
        using var a = rand(2, 28, 28, 1);
        using var b = rand(3, 28, 28, 1);
        using var small = rand(2, 10, 10, 1);
        Assert.Throws<ArgumentException>(() => Ssim.PerImage(a, b));
        Assert.Contains("11×11", Assert.Throws<ArgumentException>(() => Ssim.PerImage(small, small)).Message);
    }
}
