using MnistDenoise.Corruption;
using MnistDenoise.Evaluation;
using MnistDenoise.Model;
using MnistDenoise.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Model;

/// <summary>
/// The fast graph (sub-pixel decoder) against the tutorial's literal graph, on real noisy MNIST test images and on
/// weights after 50 real training steps of the tutorial's batch of 200 (at initialisation the deep gradients cancel so much that float32 says little).
/// </summary>
public class FastGraphTests : IClassFixture<FastGraphTests.Trained>
{
    /// <summary>A model trained 50 steps (literal graph, fp32) and a batch of 100 noisy test images with their clean targets.</summary>
    public sealed class Trained : IDisposable
    {
        public static readonly TrainingOptions Options = new() { TrainSize = 10_000, BatchSize = 200, Epochs = 1, Seed = 8, Graph = GraphForm.Literal };
        public ConvAutoencoder Model { get; }
        public Tensor Noisy { get; }
        public Tensor Clean { get; }

        /// <summary>The literal fp32 run's step losses and its final weights' loss on <see cref="Noisy"/> (see <see cref="HeldOutLoss"/>).</summary>
        public (IReadOnlyList<double> Steps, double HeldOut) Run { get; }

        public Trained()
        {
            Clean = tensor(SharedMnist.Test.Images[..(100 * 784)], [100, 28, 28, 1]);
            using (var g = new Generator(TestDamage.Seed)) Noisy = new Gaussian(0.5).Apply(Clean, g);
            Model = Options.CreateModel();
            using var trainer = new Trainer(Model, Options);
            Run = (trainer.Train(SharedMnist.Train).StepLosses, HeldOutLoss(Model));
        }

        /// <summary>Where a run ended: its weights' loss on the 100 held-out noisy test images (literal fp32 graph).</summary>
        public double HeldOutLoss(ConvAutoencoder model)
        {
            using var _ = no_grad();
            using var logits = model.forward(Noisy, ScalarType.Float32, GraphForm.Literal);
            using var loss = Ops.cost(logits, Clean);
            return loss.item<float>();
        }

        public void Dispose()
        {
            Model.Dispose();
            Noisy.Dispose();
            Clean.Dispose();
        }
    }

    private readonly Trained _trained;
    public FastGraphTests(Trained trained) => _trained = trained;

    private static (double Loss, Tensor Logits, Dictionary<string, Tensor> Gradients) Pass(ConvAutoencoder model, Tensor noisy, Tensor clean, ScalarType compute, GraphForm graph)
    {
        model.zero_grad();
        var logits = model.forward(noisy, compute, graph);
        using var loss = Ops.cost(logits, clean);
        loss.backward();
        return (loss.to(ScalarType.Float64).item<double>(), logits.detach().to(ScalarType.Float64),
            model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.to(ScalarType.Float64)));
    }

    private static double Relative(Tensor a, Tensor b) => ((a - b).norm() / b.norm()).item<double>();

    [Fact]
    public void Each_phase_merges_the_five_taps_into_three_source_offsets()
    {
        // Phase 0 (even output rows): taps −2,−1 read source −1; taps 0,1 read 0; tap 2 reads +1. Phase 1: −2 | −1,0 | 1,2.
        int[][] expected = [[0, 0, 1, 1, 2], [0, 1, 1, 2, 2]];
        for (var a = 0; a < 2; a++)
            for (var d = 0; d < 5; d++)
                for (var s = 0; s < 3; s++)
                    Assert.Equal(s == expected[a][d] ? 1f : 0f, SubPixel.Taps[a, s, d]);
    }

    [Fact]
    public void In_float64_the_two_graphs_are_the_same_function_with_the_same_gradients()
    {
        // Exact in real arithmetic, so in float64 only rounding (~1e-16 relative) may differ.
        using var scope = NewDisposeScope();
        using var model = new ConvAutoencoder(seed: 8);
        Checkpoint.CopyInto(model, _trained.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone()), "trained");
        model.to(ScalarType.Float64);
        var (noisy, clean) = (_trained.Noisy.to(ScalarType.Float64), _trained.Clean.to(ScalarType.Float64));
        var literal = Pass(model, noisy, clean, ScalarType.Float32, GraphForm.Literal);
        var fast = Pass(model, noisy, clean, ScalarType.Float32, GraphForm.Fast);

        Assert.Equal(literal.Loss, fast.Loss, 1e-12);
        Assert.InRange((fast.Logits - literal.Logits).abs().max().item<double>(), 0, 1e-10);
        Assert.Equal(14, literal.Gradients.Count);
        foreach (var (name, g) in literal.Gradients)
            Assert.True(Relative(fast.Gradients[name], g) < 1e-10, $"{name}: {Relative(fast.Gradients[name], g):E2}");
    }

    [Fact]
    public void In_float32_the_fast_graph_agrees_with_the_literal_one_as_closely_as_float32_allows()
    {
        using var scope = NewDisposeScope();
        var model = _trained.Model;
        var literal = Pass(model, _trained.Noisy, _trained.Clean, ScalarType.Float32, GraphForm.Literal);
        var fast = Pass(model, _trained.Noisy, _trained.Clean, ScalarType.Float32, GraphForm.Fast);

        // The float64 pass is the yardstick: each float32 form may differ from it by float32 rounding, and the two forms
        // add their products in different orders (merged taps first), so they differ by that rounding, no more.
        using var model64 = new ConvAutoencoder(seed: 8);
        Checkpoint.CopyInto(model64, model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone()), "trained");
        model64.to(ScalarType.Float64);
        var exact = Pass(model64, _trained.Noisy.to(ScalarType.Float64), _trained.Clean.to(ScalarType.Float64), ScalarType.Float32, GraphForm.Literal);

        // Logits are sums of up to 1,600 products of O(1) terms through seven layers: float32 keeps ~1e-6 of each.
        Assert.InRange((fast.Logits - literal.Logits).abs().max().item<double>(), 0, 1e-4);
        Assert.Equal(literal.Loss, fast.Loss, 1e-6);
        foreach (var (name, g) in literal.Gradients)
        {
            var literalError = Relative(g, exact.Gradients[name]);
            var between = Relative(fast.Gradients[name], g);
            // Between the forms: within 1e-4 relative, and never more than 3× what float32 costs the literal form itself.
            Assert.True(between < 1e-4 && between < 3 * literalError + 1e-6,
                $"{name}: fast vs literal {between:E2}, literal vs float64 {literalError:E2}");
        }
    }

    [Fact]
    public void In_bf16_the_two_graphs_agree_to_bf16_precision()
    {
        if (MnistDenoise.Runtime.CpuFeatures.HasBFloat16 == false) return; // bf16 is refused without bf16 instructions (MixedPrecisionTests)
        using var scope = NewDisposeScope();
        var model = _trained.Model;
        var literal = Pass(model, _trained.Noisy, _trained.Clean, ScalarType.BFloat16, GraphForm.Literal);
        var fast = Pass(model, _trained.Noisy, _trained.Clean, ScalarType.BFloat16, GraphForm.Fast);
        // bf16 keeps 8 bits of mantissa (relative rounding 2^-9 ≈ 0.2%); the fast form rounds its merged taps once
        // instead of each tap, so the two forms differ by a few such roundings through seven layers.
        Assert.Equal(literal.Loss, fast.Loss, 2e-3);
        Assert.InRange((fast.Logits - literal.Logits).abs().max().item<double>(), 0, 0.25);
        foreach (var (name, g) in literal.Gradients)
            Assert.True(Relative(fast.Gradients[name], g) < 0.05, $"{name}: {Relative(fast.Gradients[name], g):E2}");
    }

    [Theory]
    [InlineData(Precision.Float32)]
    [InlineData(Precision.BFloat16)]
    public void Fifty_training_steps_from_the_same_seed_end_within_1e_3_in_loss(Precision precision)
    {
        if (precision == Precision.BFloat16 && MnistDenoise.Runtime.CpuFeatures.HasBFloat16 == false) return;
        var options = Trained.Options with { Precision = precision };
        (IReadOnlyList<double> Steps, double HeldOut) Run(GraphForm graph)
        {
            // The literal fp32 run is the fixture's own (same options), so it is not trained twice.
            if (precision == Precision.Float32 && graph == GraphForm.Literal) return _trained.Run;
            using var model = (options with { Graph = graph }).CreateModel();
            using var trainer = new Trainer(model, options with { Graph = graph });
            return (trainer.Train(SharedMnist.Train).StepLosses, _trained.HeldOutLoss(model));
        }
        var (literal, fast) = (Run(GraphForm.Literal), Run(GraphForm.Fast));
        Assert.Equal(50, fast.Steps.Count);
        Assert.True(fast.Steps[^1] < 0.7 * fast.Steps[0], $"the fast graph did not learn: {fast.Steps[0]:0.000} → {fast.Steps[^1]:0.000}");
        Assert.Equal(literal.HeldOut, fast.HeldOut, 1e-3);
        Assert.Equal(literal.Steps.TakeLast(10).Average(), fast.Steps.TakeLast(10).Average(), 1e-3);
        Assert.Equal(literal.Steps[^1], fast.Steps[^1], 1e-3);
    }

    [Fact]
    public void A_checkpoint_of_either_form_loads_into_the_other()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fastgraph-{Guid.NewGuid():N}.weights");
        try
        {
            using var literal = new ConvAutoencoder(seed: 9) { Form = GraphForm.Literal };
            Checkpoint.Save(literal, path);
            using var fast = new ConvAutoencoder(seed: 1) { Form = GraphForm.Fast };
            Checkpoint.Load(fast, path);
            using var x = _trained.Noisy[..8];
            using var a = literal.Reconstruct(x);
            using var b = fast.Reconstruct(x);
            Assert.InRange((a - b).abs().max().item<float>(), 0f, 1e-5f);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
