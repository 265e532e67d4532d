namespace MnistDenoise.Training;

/// <summary>Arithmetic of the training step.</summary>
public enum Precision
{
    /// <summary>Everything in float32, as the tutorial.</summary>
    Float32,

    /// <summary>
    /// Convolutions, pooling and upsampling in bfloat16 on casted copies; master weights, gradients, Adam and the
    /// loss stay float32. Fast only on CPUs with bf16 instructions (AVX512-BF16 or AMX); see docs/performance.md.
    /// </summary>
    BFloat16,
}
