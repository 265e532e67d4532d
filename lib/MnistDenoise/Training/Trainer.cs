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
    private readonly TfAdamOptimizer _optimizer;
    private readonly Generator _noise;
    private readonly ICorruption _corruption;
    private readonly Device _device;
    private readonly ScalarType _computeType;
    private (DataSet Source, DataSet View)? _data;
    private bool _rebuildView;
    private long _batchesDrawn;
    private int _completedSteps;
    private int? _stepsPerEpoch;
    private readonly List<double> _runLosses = [];
    private int _trainExamples;
    private string? _trainLabelsSha256;

    /// <summary>
    /// Prepares training of <paramref name="model"/> (moved to <see cref="TrainingOptions.Device"/>). Process-wide settings
    /// (threads, allocator) are the entry point's (<see cref="Runtime.TorchProcess.Configure"/>); the trainer changes none.
    /// </summary>
    public Trainer(ConvAutoencoder model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        options.Validate();
        _corruption = options.ResolveCorruption();
        Options = options;
        _model = model;
        _device = ComputeDevice.Resolve(options.Device);
        if (options.Precision == Precision.BFloat16 && Runtime.CpuFeatures.HasBFloat16 == false)
            throw new NotSupportedException(
                "Precision BFloat16 needs a CPU with bf16 instructions (AVX512-BF16 or AMX); this one has none, so bf16 would be " +
                "slower than float32. Use Precision.Float32 (the default).");
        _computeType = options.Precision == Precision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
        _model.to(_device);
        _model.Form = options.Graph;
        _optimizer = Ops.AdamOptimizer(_model.parameters(), options.LearningRate);
        _noise = new Generator((ulong)options.Seed + 1);
    }

    /// <summary>The options this trainer was made with.</summary>
    public TrainingOptions Options { get; }

    /// <summary>
    /// Runs <see cref="TrainingOptions.Epochs"/> epochs on <paramref name="train"/> (or its first
    /// <see cref="TrainingOptions.TrainSize"/> images), calling <paramref name="onStep"/> after every step.
    /// Cancelling stops between steps and returns normally with <see cref="TrainingResult.Cancelled"/> set;
    /// the model keeps the weights of the last finished step, and the next call (or a run resumed from
    /// <see cref="SaveCheckpoint"/>'s file) continues at the next step. A finished run's next call starts a new run.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; the model, the optimizer and the
    /// position keep the last good step (nothing of the failed step is applied), so <see cref="SaveCheckpoint"/> still works.</exception>
    public TrainingResult Train(DataSet train, Action<TrainingStep>? onStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        Options.Validate(train.NumExamples);
        var data = View(train);
        var stepsPerEpoch = data.NumExamples / Options.BatchSize;
        var total = Options.Epochs * stepsPerEpoch;
        if (_stepsPerEpoch != stepsPerEpoch || _completedSteps >= total)
        {
            (_completedSteps, _stepsPerEpoch) = (0, stepsPerEpoch);
            _runLosses.Clear();
        }
        var resumedSteps = _completedSteps;
        var clock = Stopwatch.StartNew();
        var cancelled = false;

        _model.train();
        try
        {
            while (_completedSteps < total)
            {
                if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
                var (epoch, step) = (_completedSteps / stepsPerEpoch + 1, _completedSteps % stepsPerEpoch + 1);
                using var noiseBefore = _noise.get_state();
                var batch = data.NextBatch(Options.BatchSize);
                _batchesDrawn++;
                _optimizer.LearningRate = (float)(Options.LearningRate * Recipe.Factor(Options.Schedule, _completedSteps, total));
                var loss = Step(batch);
                if (!double.IsFinite(loss))
                {
                    // Undo the draw of this batch and its noise too, so the trainer stands exactly after the last good step.
                    _noise.set_state(noiseBefore);
                    _batchesDrawn--;
                    _rebuildView = true;
                    throw new TrainingDivergedException(loss, epoch, step, _completedSteps, Options);
                }
                _completedSteps++;
                _runLosses.Add(loss);
                onStep?.Invoke(new TrainingStep(epoch, Options.Epochs, step, stepsPerEpoch, loss, clock.Elapsed));
            }
        }
        finally
        {
            _model.eval();
        }
        var epochLosses = _runLosses.Chunk(stepsPerEpoch).Select(e => e.Average()).ToList();
        return new TrainingResult(_runLosses.ToArray(), epochLosses, clock.Elapsed, cancelled, resumedSteps);
    }

    /// <summary>
    /// Writes the weights, Adam's moments, the noise generator's state, the position (epoch, step, batches drawn) and the
    /// options to <paramref name="path"/> atomically, so that <see cref="Resume"/> continues exactly where this stands.
    /// The file is also a plain weights checkpoint for <see cref="Checkpoint.Load"/>.
    /// </summary>
    public void SaveCheckpoint(string path)
    {
        using var optimizer = new MemoryStream();
        using (var writer = new BinaryWriter(optimizer, System.Text.Encoding.UTF8, leaveOpen: true))
            _optimizer.Save(writer);
        using var noise = _noise.get_state();
        var info = new CheckpointInfo
        {
            Options = Options,
            CompletedSteps = _completedSteps,
            StepsPerEpoch = _stepsPerEpoch ?? 0,
            BatchesDrawn = _batchesDrawn,
            TrainExamples = _trainExamples,
            TrainLabelsSha256 = _trainLabelsSha256,
            StepLosses = _runLosses.ToArray(),
            Threads = get_num_threads(),
        };
        Checkpoint.Save(_model, path, new SavedTrainingState(info, optimizer.ToArray(), noise.data<byte>().ToArray()));
    }

    /// <summary>
    /// Loads a checkpoint written by <see cref="SaveCheckpoint"/> so that the next <see cref="Train"/> on
    /// <paramref name="train"/> continues the saved run at its next step, with the same batches and noise: the result is
    /// the same as an uninterrupted run of the same seed (bit for bit on the same machine and thread count).
    /// Everything is read and checked first; on any problem nothing (weights, optimizer, position) changes.
    /// </summary>
    /// <returns>What the checkpoint says about the run.</returns>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is damaged or altered, holds weights only, or its run does not
    /// match this trainer's options or training set; the message says what differs.</exception>
    public CheckpointInfo Resume(string path, DataSet train)
    {
        ArgumentNullException.ThrowIfNull(train);
        Options.Validate(train.NumExamples);
        var (weights, state) = Checkpoint.Read(path);
        try
        {
            if (state is null)
                throw new InvalidDataException(
                    $"Checkpoint '{path}' holds weights only, no training state to resume from. Train afresh, or load it with Checkpoint.Load to use the model.");
            var info = state.Info;
            var view = Batches(train);
            var labelsSha = LabelsSha256(view);
            var saved = info.Options!;
            var differences = new List<string>();
            void Differ<T>(string name, T then, T now) { if (!EqualityComparer<T>.Default.Equals(then, now)) differences.Add($"{name} was {then}, now {now}"); }
            Differ("batch size", saved.BatchSize, Options.BatchSize);
            Differ("learning rate", saved.LearningRate, Options.LearningRate);
            Differ("noise", saved.NoiseFactor, Options.NoiseFactor);
            Differ("seed", saved.Seed, Options.Seed);
            Differ("precision", saved.Precision, Options.Precision);
            Differ("schedule", saved.Schedule, Options.Schedule);
            Differ("loss", saved.Loss, Options.Loss);
            Differ("corruption", saved.ResolveCorruption().Spec, Options.ResolveCorruption().Spec);
            Differ("training images", info.TrainExamples, view.NumExamples);
            if (info.TrainExamples == view.NumExamples && info.TrainLabelsSha256 != labelsSha)
                differences.Add("the training images are not the same ones (their labels differ)");
            if (differences.Count > 0)
                throw new InvalidDataException(
                    $"Checkpoint '{path}' comes from a different run: {string.Join("; ", differences)}. " +
                    "Resume with the settings it was saved with, or train afresh without resuming.");

            // Everything is read and checked; apply it. Adam's state checks itself before it changes anything (a
            // failed load leaves it as it was), and is put back if the weights then do not fit.
            using var before = new MemoryStream();
            using (var w = new BinaryWriter(before, System.Text.Encoding.UTF8, leaveOpen: true)) _optimizer.Save(w);
            try
            {
                using var reader = new BinaryReader(new MemoryStream(state.Optimizer));
                _optimizer.Load(reader, r => TensorRecord.Read(r, "Adam's moment"));
                if (reader.BaseStream.Position != reader.BaseStream.Length)
                    throw new InvalidDataException($"{reader.BaseStream.Length - reader.BaseStream.Position} bytes follow Adam's state");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"Checkpoint '{path}' has an optimizer state that does not fit this model ({e.Message}).", e);
            }
            try
            {
                Checkpoint.CopyInto(_model, weights, path);
            }
            catch
            {
                before.Position = 0;
                using var restore = new BinaryReader(before);
                _optimizer.Load(restore, r => TensorRecord.Read(r, "Adam's moment"));
                throw;
            }
            using (var noise = tensor(state.NoiseGenerator, dtype: ScalarType.Byte)) _noise.set_state(noise);
            view.Skip(info.BatchesDrawn, Options.BatchSize);
            (_data, _batchesDrawn, _trainExamples, _trainLabelsSha256, _rebuildView) = ((train, view), info.BatchesDrawn, view.NumExamples, labelsSha, false);
            (_completedSteps, _stepsPerEpoch) = (info.CompletedSteps, info.StepsPerEpoch);
            _runLosses.Clear();
            _runLosses.AddRange(info.StepLosses);
            return info;
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    private double Step(Batch batch)
    {
        // Every tensor made in this step is freed at its end, so memory stays flat over a long run.
        using var scope = NewDisposeScope();
        var clean = tensor(batch.Images, [batch.Count, ConvAutoencoder.ImageSize, ConvAutoencoder.ImageSize, 1]).to(_device);
        return TrainStep.Run(_model, _optimizer, _corruption.Apply(clean, _noise), clean, Options.Loss, _computeType);
    }

    // The view of the training set this trainer draws batches from, made once per data set (batches continue across
    // calls) and rebuilt, replaying the batches drawn so far, after a diverged step.
    private DataSet View(DataSet train)
    {
        var same = _data?.Source == train;
        if (same && !_rebuildView) return _data!.Value.View;
        var view = Batches(train);
        if (same) view.Skip(_batchesDrawn, Options.BatchSize);
        else _batchesDrawn = 0;
        (_trainExamples, _trainLabelsSha256, _rebuildView) = (view.NumExamples, LabelsSha256(view), false);
        _data = (train, view);
        return view;
    }

    private static string LabelsSha256(DataSet view) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(view.Labels));

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
