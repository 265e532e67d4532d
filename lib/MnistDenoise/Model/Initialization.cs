using static TorchSharp.torch;

namespace MnistDenoise.Model;

/// <summary>The starting values of a layer's kernel and bias under each <see cref="WeightInit"/>.</summary>
internal static class Initialization
{
    /// <summary>The kernel of <paramref name="layer"/>, in the tutorial's [h, w, in, out] shape (row-major).</summary>
    public static Tensor Kernel(Layer layer, WeightInit init, Generator? generator) => init switch
    {
        WeightInit.Tutorial => randn(layer.KernelShape, generator: generator),
        WeightInit.Default => Uniform(layer.KernelShape, 1.0 / Math.Sqrt(layer.FanIn), generator),
        WeightInit.Glorot => Uniform(layer.KernelShape, Math.Sqrt(6.0 / (layer.FanIn + layer.FanOut)), generator),
        _ => throw Unknown(init),
    };

    /// <summary>The bias of <paramref name="layer"/>.</summary>
    public static Tensor Bias(Layer layer, WeightInit init, Generator? generator) => init switch
    {
        WeightInit.Tutorial => randn(layer.BiasShape, generator: generator),
        WeightInit.Default => Uniform(layer.BiasShape, 1.0 / Math.Sqrt(layer.FanIn), generator),
        WeightInit.Glorot => zeros(layer.BiasShape),
        _ => throw Unknown(init),
    };

    // U(−bound, bound) as rand·2 − 1 scaled: this order of operations is what the committed figures were trained from.
    private static Tensor Uniform(long[] shape, double bound, Generator? generator) =>
        rand(shape, generator: generator).mul_(2).sub_(1).mul_(bound);

    private static ArgumentOutOfRangeException Unknown(WeightInit init) =>
        new(nameof(init), init, "Unknown initialisation; use Default, Glorot or Tutorial.");
}
