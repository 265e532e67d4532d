using System.Diagnostics;
using MnistDenoise.Corruption;
using MnistDenoise.Model;
using MnistDenoise.Training;
using static TorchSharp.torch;

namespace MnistDenoise.Bench;

/// <summary>
/// Times one training step of a <see cref="StepConfig"/> on a fixed batch: fresh noise, then the library's
/// <see cref="TrainStep.Run"/> (forward, cost, backward, Adam) and its loss read back.
/// </summary>
internal sealed class StepBench : IDisposable
{
    private readonly ConvAutoencoder _model = new(seed: 1);
    private readonly TfAdamOptimizer _adam;
    private readonly ConvAutoencoder _rowMajor = new(seed: 1);
    private readonly TfAdamOptimizer _rowMajorAdam;
    private readonly Tensor _clean;
    private readonly Generator _noise = new(7);

    public StepBench(int batch)
    {
        _clean = rand(batch, 28, 28, 1, generator: new Generator(1));
        _adam = Ops.AdamOptimizer(_model.parameters());
        using (no_grad())
            foreach (var (key, _) in ConvAutoencoder.WeightShapes)
                _rowMajor.weights[key] = new TorchSharp.Modules.Parameter(_rowMajor.weights[key].contiguous());
        _rowMajorAdam = Ops.AdamOptimizer(_rowMajor.parameters());
    }

    /// <summary>Milliseconds of one step (or one forward pass, for a configuration that does not train).</summary>
    public double Step(StepConfig c)
    {
        set_num_threads(c.Threads);
        using var scope = NewDisposeScope();
        var clock = Stopwatch.StartNew();
        var noisy = GaussianNoise.Apply(_clean, 0.5, _noise);
        if (!c.Train)
        {
            using var _ = inference_mode();
            _model.forward(noisy, c.Compute, c.Graph).sum().item<float>();
        }
        else if (c.LibraryLayout)
        {
            _model.Form = c.Graph;
            TrainStep.Run(_model, _adam, noisy, _clean, ReconstructionLoss.CrossEntropy, c.Compute);
        }
        else
        {
            // The alternative being measured, which the library deliberately does not run: NCHW activations and
            // row-major TF kernels (no channels-last order for oneDNN), so the step is written out here.
            _rowMajorAdam.zero_grad();
            var nchw = noisy.permute(0, 3, 1, 2).contiguous();
            var logits = c.Graph == GraphForm.Literal
                ? ConvAutoencoder.Graph(nchw, _rowMajor.weights, _rowMajor.biases)
                : ConvAutoencoder.FastGraph(nchw, _rowMajor.weights, _rowMajor.biases);
            var cost = Ops.cost(logits.permute(0, 2, 3, 1), _clean);
            cost.backward();
            _rowMajorAdam.step();
            cost.item<float>();
        }
        return clock.Elapsed.TotalMilliseconds;
    }

    public void Dispose()
    {
        _adam.Dispose();
        _model.Dispose();
        _rowMajorAdam.Dispose();
        _rowMajor.Dispose();
        _clean.Dispose();
        _noise.Dispose();
    }
}
