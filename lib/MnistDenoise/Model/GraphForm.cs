namespace MnistDenoise.Model;

/// <summary>
/// Which of two implementations of the same function <see cref="ConvAutoencoder"/> runs. Both read the same
/// <c>weights</c>/<c>biases</c> (so checkpoints are interchangeable) and give the same logits up to float rounding.
/// </summary>
public enum GraphForm
{
    /// <summary>The tutorial's graph, op for op (<see cref="ConvAutoencoder.Graph(TorchSharp.torch.Tensor, TorchSharp.Modules.ParameterDict, TorchSharp.Modules.ParameterDict, System.Action{string, TorchSharp.torch.Tensor})"/>): upsample, then a 5×5 convolution.</summary>
    Literal,

    /// <summary>
    /// The same function with about half the arithmetic: each 2× nearest upsampling followed by a 5×5 convolution is
    /// computed as a 3×3 convolution of the small map with four merged kernels and a pixel shuffle
    /// (<see cref="SubPixel"/>). The default for training and evaluation.
    /// </summary>
    Fast,
}
