using System.Diagnostics;
using MnistDenoise.Corruption;
using MnistDenoise.Data;
using MnistDenoise.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDenoise.Training;

/// <summary>
/// The tutorial's training loop: for each epoch, <c>num_examples // batch_size</c> steps of
/// next_batch → add noise (or another <see cref="TrainingOptions.Corruption"/>) → Adam step on the cost between the
/// reconstruction of the noisy images and the clean ones. Calling <see cref="Train"/> again continues from where the last call stopped (same optimizer state).
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly ConvAutoencoder _model;
    private readonly optim.Optimizer _optimizer;
    private readonly Generator _noise;
    private readonly ICorruption _corruption;
    private readonly Device _device;
    private (DataSet Source, DataSet View)? _data;

    /// <summary>Prepares training of <paramref name="model"/> (moved to <see cref="TrainingOptions.Device"/>).</summary>
    public Trainer(ConvAutoencoder model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        options.Validate();
        _corruption = options.ResolveCorruption();
        Options = options;
        _model = model;
        _device = ComputeDevice.Resolve(options.Device);
        if (options.Threads is { } threads) set_num_threads(threads);
        Runtime.NativeAllocator.TuneForTraining();
        _model.to(_device);
        _optimizer = Ops.AdamOptimizer(_model.parameters(), options.LearningRate);
        _noise = new Generator((ulong)options.Seed + 1);
    }

    /// <summary>The options this trainer was made with.</summary>
    public TrainingOptions Options { get; }

    /// <summary>
    /// Runs <see cref="TrainingOptions.Epochs"/> epochs on <paramref name="train"/> (or its first
    /// <see cref="TrainingOptions.TrainSize"/> images), calling <paramref name="onStep"/> after every step.
    /// Cancelling stops between steps and returns normally with <see cref="TrainingResult.Cancelled"/> set;
    /// the model keeps the weights of the last finished step.
    /// </summary>
    public TrainingResult Train(DataSet train, Action<TrainingStep>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        Options.Validate(train.NumExamples);
        if (_data?.Source != train) _data = (train, Batches(train));
        var data = _data.Value.View;
        var stepsPerEpoch = data.NumExamples / Options.BatchSize;
        var losses = new List<double>(Options.Epochs * stepsPerEpoch);
        var epochLosses = new List<double>(Options.Epochs);
        var clock = Stopwatch.StartNew();
        var cancelled = false;

        _model.train();
        for (var epoch = 1; epoch <= Options.Epochs && !cancelled; epoch++)
        {
            var epochStart = losses.Count;
            for (var step = 1; step <= stepsPerEpoch; step++)
            {
                if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                var loss = Step(data.NextBatch(Options.BatchSize));
                losses.Add(loss);
                onStep?.Invoke(new TrainingStep(epoch, Options.Epochs, step, stepsPerEpoch, loss, clock.Elapsed));
            }
            if (losses.Count > epochStart)
                epochLosses.Add(losses.Skip(epochStart).Average());
        }
        _model.eval();
        return new TrainingResult(losses, epochLosses, clock.Elapsed, cancelled);
    }

    private double Step(Batch batch)
    {
        // Every tensor made in this step is freed at its end, so memory stays flat over a long run.
        using var scope = NewDisposeScope();
        var clean = tensor(batch.Images, [batch.Count, ConvAutoencoder.ImageSize, ConvAutoencoder.ImageSize, 1]).to(_device);
        var noisy = _corruption.Apply(clean, _noise);
        _optimizer.zero_grad();
        var cost = Ops.cost(_model.forward(noisy), clean);
        cost.backward();
        _optimizer.step();
        var value = cost.item<float>();
        if (!float.IsFinite(value))
            throw new InvalidOperationException(
                $"The training loss became {value}: the learning rate ({Options.LearningRate}) is too large for this " +
                "initialisation. Lower it (the tutorial uses 0.001) or use the default initialisation.");
        return value;
    }

    // A private view of the training images with this run's seed and size (arrays shared, not copied, unless
    // TrainSize asks for fewer images); kept across calls on the same data so that batches continue, not repeat.
    private DataSet Batches(DataSet train)
    {
        var count = Math.Min(train.NumExamples, Options.TrainSize ?? train.NumExamples);
        var images = count == train.NumExamples ? train.Images : train.Images[..(count * train.ImageSize)];
        var labels = count == train.NumExamples ? train.Labels : train.Labels[..count];
        return new DataSet(images, labels, train.Rows, train.Columns, seed: Options.Seed);
    }

    /// <summary>Frees the optimizer's state and the noise generator.</summary>
    public void Dispose()
    {
        _optimizer.Dispose();
        _noise.Dispose();
    }
}
