using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MnistDenoise.Model;

/// <summary>
/// TensorFlow 1's <c>tf.train.AdamOptimizer</c> update (the <c>ApplyAdam</c> kernel), which differs from PyTorch's Adam in
/// where ε goes: TF folds both bias corrections into the step size and adds ε to √v itself,
/// <code>
/// lr_t = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ)
/// m ← m + (g − m)·(1 − β₁);  v ← v + (g² − v)·(1 − β₂);  w ← w − lr_t · m / (√v + ε)
/// </code>
/// while PyTorch adds ε to √(v / (1 − β₂ᵗ)), an effective ε √(1 − β₂ᵗ) times smaller (at step 1, TF's ε is in effect
/// 3.2e-7 in PyTorch's terms). The powers β₁ᵗ and β₂ᵗ are float32 products updated once per step, and lr_t is computed
/// in float32, as TF does.
/// </summary>
public sealed class TfAdamOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;
    private float _beta1Power;
    private float _beta2Power;

    /// <summary>Adam over <paramref name="parameters"/>, with TF1's defaults β₁ 0.9, β₂ 0.999, ε 1e-8.</summary>
    public TfAdamOptimizer(IEnumerable<Parameter> parameters, double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate > 0) || !(beta1 is >= 0 and < 1) || !(beta2 is >= 0 and < 1) || !(epsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(learningRate),
                $"Adam needs learning rate > 0, 0 ≤ β₁, β₂ < 1 and ε > 0; got {learningRate}, {beta1}, {beta2}, {epsilon}.");
        _parameters = [.. parameters];
        (LearningRate, Beta1, Beta2, Epsilon) = ((float)learningRate, (float)beta1, (float)beta2, (float)epsilon);
        // The moments take their parameter's strides (zeros_like keeps them), so the updates below never reorder memory.
        _m = [.. _parameters.Select(p => zeros_like(p).requires_grad_(false))];
        _v = [.. _parameters.Select(p => zeros_like(p).requires_grad_(false))];
        (_beta1Power, _beta2Power) = (Beta1, Beta2); // TF creates the power accumulators at β (step 1's value)
    }

    /// <summary>The step size α (TF's <c>learning_rate</c>); a schedule may change it between steps.</summary>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = float.IsFinite(value) && value >= 0
            ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Adam's learning rate must be finite and ≥ 0.");
    }

    private float _learningRate;

    /// <summary>β₁, the decay of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>β₂, the decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>ε, added to √v.</summary>
    public float Epsilon { get; }

    /// <summary>Updates taken so far (TF's power accumulators are β^(Steps + 1)).</summary>
    public long Steps { get; private set; }

    /// <summary>Clears every parameter's gradient.</summary>
    public void zero_grad()
    {
        foreach (var p in _parameters)
            if (p.grad is { } g) g.zero_();
    }

    /// <summary>One Adam update of every parameter that has a gradient.</summary>
    public void step()
    {
        var alpha = LearningRate * MathF.Sqrt(1f - _beta2Power) / (1f - _beta1Power);
        using (no_grad())
            for (var i = 0; i < _parameters.Length; i++)
            {
                if (_parameters[i].grad is not { } g) continue;
                using var scope = NewDisposeScope();
                _m[i].add_(g.sub(_m[i]).mul_(1f - Beta1));          // m += (g − m)(1 − β₁), TF's order of operations
                _v[i].add_(g.mul(g).sub_(_v[i]).mul_(1f - Beta2));  // v += (g² − v)(1 − β₂)
                _parameters[i].sub_(_m[i].mul(alpha).div_(_v[i].sqrt().add_(Epsilon)));
            }
        _beta1Power *= Beta1;
        _beta2Power *= Beta2;
        Steps++;
    }

    /// <summary>
    /// Writes the step count and both moments (contiguous copies; TorchSharp writes only contiguous tensors) in
    /// TorchSharp's tensor format, for resumable checkpoints.
    /// </summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Steps);
        writer.Write(_beta1Power);
        writer.Write(_beta2Power);
        writer.Write(_parameters.Length);
        foreach (var moments in new[] { _m, _v })
            foreach (var t in moments)
            {
                using var copy = t.contiguous();
                copy.Save(writer);
            }
    }

    /// <summary>
    /// Reads what <see cref="Save"/> wrote. Everything is read and checked (count, shapes, dtypes) before any state
    /// changes; on a mismatch the optimizer keeps its state.
    /// </summary>
    /// <param name="reader">The saved state.</param>
    /// <param name="readTensor">Reads one tensor record (the checkpoint's checked reader).</param>
    /// <exception cref="InvalidDataException">The state does not belong to these parameters.</exception>
    public void Load(BinaryReader reader, Func<BinaryReader, Tensor> readTensor)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(readTensor);
        var steps = reader.ReadInt64();
        var (beta1Power, beta2Power) = (reader.ReadSingle(), reader.ReadSingle());
        var count = reader.ReadInt32();
        if (steps < 0 || !(beta1Power is > 0 and <= 1) || !(beta2Power is > 0 and <= 1))
            throw new InvalidDataException($"Adam's state is out of range (step {steps}, β₁ᵗ {beta1Power}, β₂ᵗ {beta2Power}).");
        if (count != _parameters.Length)
            throw new InvalidDataException($"Adam's state holds {count} parameters; the model has {_parameters.Length}.");
        var loaded = new List<Tensor>();
        try
        {
            for (var i = 0; i < 2 * count; i++)
            {
                var t = readTensor(reader);
                loaded.Add(t);
                var p = _parameters[i % count];
                if (!t.shape.SequenceEqual(p.shape) || t.dtype != p.dtype)
                    throw new InvalidDataException(
                        $"Adam's moment {i % count} is ({string.Join(", ", t.shape)}) {t.dtype}; its parameter is ({string.Join(", ", p.shape)}) {p.dtype}.");
            }
            using (no_grad())
                for (var i = 0; i < count; i++)
                {
                    _m[i].copy_(loaded[i]);
                    _v[i].copy_(loaded[count + i]);
                }
            (Steps, _beta1Power, _beta2Power) = (steps, beta1Power, beta2Power);
        }
        finally
        {
            foreach (var t in loaded) t.Dispose();
        }
    }

    /// <summary>Frees the moments.</summary>
    public void Dispose()
    {
        foreach (var t in _m.Concat(_v)) t.Dispose();
    }
}
