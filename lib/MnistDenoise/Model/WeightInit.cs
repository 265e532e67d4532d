namespace MnistDenoise.Model;

/// <summary>How the autoencoder's weights and biases start.</summary>
public enum WeightInit
{
    /// <summary>
    /// PyTorch's default for a convolution (Kaiming-uniform with a = √5): weights and biases drawn from
    /// U(−1/√fan_in, 1/√fan_in). The project's default: unlike the post's, it trains (the README has the figures).
    /// </summary>
    Default,

    /// <summary>
    /// The post's <c>tf.random_normal</c>: every weight and bias from N(0, 1). With 5×5×64 fan-in the
    /// logits start in the hundreds, the loss in the millions, and the outputs saturate at 0 or 1.
    /// Kept to reproduce the post exactly.
    /// </summary>
    Tutorial,

    /// <summary>
    /// TensorFlow's own default for variables (<c>tf.get_variable</c>, <c>tf.layers.conv2d</c>): Glorot-uniform
    /// weights, U(±√(6 / (fan_in + fan_out))), and zero biases. What the post would have got had it not chosen
    /// normal(0, 1). Learns faster early than <see cref="Default"/> (the README has the figures); opt-in, so that the
    /// default figures stay comparable.
    /// </summary>
    Glorot,
}
