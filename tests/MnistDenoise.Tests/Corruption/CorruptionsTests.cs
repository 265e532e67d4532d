using MnistDenoise.Corruption;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Corruption;

public class CorruptionsTests
{
    public static TheoryData<string> Specs => new(
        "gaussian:0.5", "mosaic:4", "mosaic:3", "saltpepper:0.05", "occlusion:10x6", "gaussian:0.5+saltpepper:0.05", "mosaic:2+occlusion:5x5+gaussian:0.3");

    private static Tensor Digits(int count = 32) =>
        tensor(SharedMnist.Test.Images[..(count * 784)], [count, 28, 28, 1]);

    [Theory, MemberData(nameof(Specs))]
    public void Keeps_the_shape_the_unit_range_and_the_input(string spec)
    {
        using var clean = Digits();
        using var before = clean.clone();
        using var generator = new Generator(5);
        using var damaged = Corruptions.Parse(spec).Apply(clean, generator);
        Assert.Equal(clean.shape, damaged.shape);
        Assert.Equal(ScalarType.Float32, damaged.dtype);
        Assert.True(damaged.min().item<float>() >= 0 && damaged.max().item<float>() <= 1);
        Assert.True(clean.allclose(before, rtol: 0, atol: 0), "the clean batch must not change");
        Assert.False(damaged.allclose(clean, rtol: 0, atol: 0), "the corruption should change something");
    }

    [Theory, MemberData(nameof(Specs))]
    public void The_same_seed_gives_the_same_damage_and_another_seed_differs_unless_deterministic(string spec)
    {
        using var clean = Digits();
        var corruption = Corruptions.Parse(spec);
        using var a = corruption.Apply(clean, new Generator(11));
        using var b = corruption.Apply(clean, new Generator(11));
        using var c = corruption.Apply(clean, new Generator(12));
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        Assert.Equal(spec == "mosaic:4" || spec == "mosaic:3", a.allclose(c, rtol: 0, atol: 0));   // mosaic draws nothing
    }

    [Theory]
    [InlineData("gaussian:0.5")]
    [InlineData("saltpepper:0.05")]
    [InlineData("occlusion:10x6")]
    public void A_single_kind_draws_the_same_damage_whether_a_set_comes_in_one_batch_or_two(string spec)
    {
        using var clean = Digits(64);
        var corruption = Corruptions.Parse(spec);
        using var whole = corruption.Apply(clean, new Generator(21));
        using var generator = new Generator(21);
        using var first = corruption.Apply(clean[..32], generator);
        using var second = corruption.Apply(clean[32..], generator);
        using var halves = cat([first, second], 0);
        Assert.True(whole.allclose(halves, rtol: 0, atol: 0));
    }

    [Theory, MemberData(nameof(Specs))]
    public void The_canonical_spec_parses_back_to_an_equal_corruption(string spec)
    {
        var corruption = Corruptions.Parse(spec);
        Assert.Equal(spec, corruption.Spec);
        Assert.Equal(corruption, Corruptions.Parse(corruption.Spec));
    }

    [Fact]
    public void Parsing_ignores_case_and_spaces_and_reads_a_square_occlusion_and_lists()
    {
        Assert.Equal("gaussian:0.5+saltpepper:0.05", Corruptions.Parse(" Gaussian:0.5 + SALTPEPPER:0.05 ").Spec);
        Assert.Equal(new Occlusion(8, 8), Corruptions.Parse("occlusion:8"));
        Assert.Equal(["mosaic:4", "gaussian:0.5+mosaic:2"], Corruptions.ParseList("mosaic:4, gaussian:0.5+mosaic:2").Select(c => c.Spec));
        Assert.Equal(6, Corruptions.ParseList(Corruptions.DefaultSet).Count);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("blur:2", "'blur' is not a corruption")]
    [InlineData("gaussian", "needs a parameter")]
    [InlineData("gaussian:-1", "from 0 to 10")]
    [InlineData("gaussian:abc", "from 0 to 10")]
    [InlineData("mosaic:2.5", "whole block size from 1 to 28")]
    [InlineData("mosaic:0", "whole block size from 1 to 28")]
    [InlineData("saltpepper:1.5", "probability from 0 to 1")]
    [InlineData("occlusion:30", "from 1 to 28")]
    [InlineData("occlusion:4x4x4", "from 1 to 28")]
    [InlineData("mosaic:4+", "nothing on one side")]
    public void An_invalid_spec_says_what_is_wrong_and_lists_the_valid_ones(string spec, string why)
    {
        var e = Assert.Throws<FormatException>(() => Corruptions.Parse(spec));
        Assert.Contains(why, e.Message);
        foreach (var kind in new[] { "gaussian:σ", "mosaic:k", "saltpepper:p", "occlusion:W" })
            Assert.Contains(kind, e.Message);
        Assert.False(Corruptions.TryParse(spec, out _, out var error));
        Assert.Equal(e.Message, error);
    }

    [Fact]
    public void The_default_is_the_tutorials_noise_drawn_exactly_as_GaussianNoise_draws_it()
    {
        using var clean = Digits();
        using var expected = GaussianNoise.Apply(clean, 0.5, new Generator(43));
        using var byDefault = Corruptions.Default.Apply(clean, new Generator(43));
        using var byOptions = new TrainingOptions().ResolveCorruption().Apply(clean, new Generator(43));
        using var byNoiseFactor = new TrainingOptions { NoiseFactor = 0.3 }.ResolveCorruption().Apply(clean, new Generator(43));
        using var expected03 = GaussianNoise.Apply(clean, 0.3, new Generator(43));
        Assert.True(byDefault.allclose(expected, rtol: 0, atol: 0));
        Assert.True(byOptions.allclose(expected, rtol: 0, atol: 0));
        Assert.True(byNoiseFactor.allclose(expected03, rtol: 0, atol: 0));
        Assert.Equal("gaussian:0.5", new TrainingOptions().ResolveCorruption().Spec);
        Assert.Equal("mosaic:4", new TrainingOptions { Corruption = "mosaic:4" }.ResolveCorruption().Spec);
    }

    [Fact]
    public void Mosaic_replaces_every_block_by_its_mean_including_partial_edge_blocks()
    {
        using var images = arange(2 * 28 * 28, dtype: ScalarType.Float32).reshape(2, 28, 28, 1) / (2 * 28 * 28);
        using var mosaic = new Mosaic(3).Apply(images);
        foreach (var (top, left) in new[] { (0, 0), (3, 6), (27, 27), (24, 27), (27, 0) })
        {
            var (h, w) = (Math.Min(3, 28 - top), Math.Min(3, 28 - left));  // 28 = 9·3 + 1: the last row and column of blocks are 1 pixel wide
            using var block = images[1, top..(top + h), left..(left + w), 0];
            using var got = mosaic[1, top..(top + h), left..(left + w), 0];
            Assert.True(got.allclose(block.mean().expand_as(block), atol: 1e-6), $"block at ({top}, {left})");
        }
        using var same = new Mosaic(1).Apply(images);
        Assert.True(same.allclose(images, rtol: 0, atol: 0));
    }

    [Fact]
    public void Salt_and_pepper_hits_about_p_of_the_pixels_with_zeros_and_ones_in_equal_shares()
    {
        using var gray = full(new long[] { 64, 28, 28, 1 }, 0.5f);
        using var damaged = new SaltPepper(0.1).Apply(gray, new Generator(3));
        var hit = (damaged != 0.5f).to(ScalarType.Float32).mean().item<float>();
        var salt = (damaged == 1f).to(ScalarType.Float32).mean().item<float>();
        Assert.InRange(hit, 0.095f, 0.105f);                 // 50,176 pixels: ±5σ ≈ ±0.007
        Assert.InRange(salt / hit, 0.45f, 0.55f);
        Assert.True(((damaged == 0f) | (damaged == 1f) | (damaged == 0.5f)).all().item<bool>());
    }

    [Fact]
    public void Occlusion_blanks_exactly_one_w_by_h_rectangle_per_image_at_varying_places()
    {
        using var white = ones(200, 28, 28, 1);
        using var damaged = new Occlusion(10, 6).Apply(white, new Generator(8));
        using var blank = (damaged == 0).squeeze(-1);
        Assert.True((blank.sum([1, 2]) == 60).all().item<bool>());
        using var rows = blank.any(2).sum(1);       // rows touched per image
        using var columns = blank.any(1).sum(1);
        Assert.True((rows == 6).all().item<bool>() && (columns == 10).all().item<bool>(), "a 10 wide, 6 high block");
        using var tops = blank.any(2).to(ScalarType.Float32).argmax(1);
        using var lefts = blank.any(1).to(ScalarType.Float32).argmax(1);
        Assert.Equal(0, tops.min().item<long>());   // 200 draws from 23 rows and 19 columns reach both ends
        Assert.Equal(22, tops.max().item<long>());
        Assert.Equal(18, lefts.max().item<long>());
    }

    [Fact]
    public void A_batch_that_is_not_NHWC_is_rejected_with_its_shape()
    {
        using var flat = rand(4, 784);
        var e = Assert.Throws<ArgumentException>(() => Corruptions.Parse("mosaic:4").Apply(flat));
        Assert.Contains("(4, 784)", e.Message);
    }
}
