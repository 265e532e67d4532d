using MnistDenoise.Model;
using static TorchSharp.torch;

namespace MnistDenoise.Training;

/// <summary>
/// The tutorial's training step and nothing around it: <c>sess.run(optimizer, feed_dict={x: noisy, y: clean})</c>, i.e.
/// forward on the damaged images, the cost against the clean ones, backward, one Adam update. <see cref="Trainer"/>
/// runs it once per batch; the bench times it.
/// </summary>
public static class TrainStep
{
    /// <summary>
    /// One update of <paramref name="model"/>'s parameters. The loss is read before <c>backward</c>: a NaN or infinite
    /// loss is returned without touching the weights or Adam's moments, so the caller can stop on the last good step.
    /// </summary>
    /// <param name="model">The network; its <see cref="ConvAutoencoder.Form"/> chooses the graph.</param>
    /// <param name="optimizer">Adam over <paramref name="model"/>'s parameters.</param>
    /// <param name="damaged">The input, (N, 28, 28, 1).</param>
    /// <param name="clean">The target, same shape.</param>
    /// <param name="loss">The cost; the tutorial's is <see cref="ReconstructionLoss.CrossEntropy"/>.</param>
    /// <param name="computeType">Float32, or BFloat16 for mixed precision (float32 master weights, gradients and Adam).</param>
    /// <returns>The loss of this batch before the update.</returns>
    public static float Run(ConvAutoencoder model, TfAdamOptimizer optimizer, Tensor damaged, Tensor clean,
        ReconstructionLoss loss = ReconstructionLoss.CrossEntropy, ScalarType computeType = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.zero_grad();
        var cost = Recipe.Loss(loss, model.forward(damaged, computeType), clean);
        var value = cost.item<float>();
        if (!float.IsFinite(value)) return value;
        cost.backward();
        optimizer.step();
        return value;
    }
}
