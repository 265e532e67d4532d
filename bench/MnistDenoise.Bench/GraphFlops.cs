using MnistDenoise.Model;

namespace MnistDenoise.Bench;

/// <summary>The work of one image through each form of the graph, which turns step times into GFLOP/s.</summary>
internal static class GraphFlops
{
    // FLOPs (2 per multiply-add) of one forward pass per image, from the graph's own layer shapes: h·w·out·(5·5·in) per
    // convolution for the literal graph. The fast graph (ConvAutoencoder.FastGraph) computes conv5 and conv6 (each after
    // an ×2 upsampling) as a 3×3 convolution of the small map with 4·out channels, (h/2)·(w/2)·4·out·(3·3·in), 9/25 of the
    // work; the output layer reads conv6's four phases directly, a 3×3 convolution from 4·in to 4·out channels on the
    // small map, (h/2)·(w/2)·4·out·(3·3·4·in), which includes structural zeros (36 taps per phase instead of 25).
    // 116.7 M and 59.4 M multiply-adds for the tutorial's network. bench/torch_step.py's sub-pixel form merges conv5 and
    // conv6 the same way but runs the output layer literally on the shuffled 28×28 map: 58.9 M.
    internal static (double Literal, double SubPixel, double Fast) ForwardFlopsPerImage()
    {
        using var model = new ConvAutoencoder(seed: 1);
        var rows = model.Summary().Where(r => r.Parameters > 0).ToArray();
        double literal = 0, subPixel = 0, fast = 0;
        foreach (var (row, (key, w)) in rows.Zip(ConvAutoencoder.WeightShapes))
        {
            var (h, wd) = (row.OutputShape[1], row.OutputShape[2]);
            var flops = 2.0 * h * wd * w[3] * w[0] * w[1] * w[2];
            literal += flops;
            subPixel += key is "conv5" or "conv6" ? 2.0 * (h / 2) * (wd / 2) * 4 * w[3] * 3 * 3 * w[2] : flops;
            fast += key switch
            {
                "conv5" or "conv6" => 2.0 * (h / 2) * (wd / 2) * 4 * w[3] * 3 * 3 * w[2],
                "output" => 2.0 * (h / 2) * (wd / 2) * 4 * w[3] * 3 * 3 * 4 * w[2],
                _ => flops,
            };
        }
        return (literal, subPixel, fast);
    }

    /// <summary>FLOPs per image of a step on <paramref name="graph"/> ("fast", "sub-pixel" or "literal"); backward ≈ 2 forwards.</summary>
    public static double PerImage(this (double Literal, double SubPixel, double Fast) forward, string graph, bool train) =>
        (train ? 3 : 1) * graph switch { "fast" => forward.Fast, "sub-pixel" => forward.SubPixel, _ => forward.Literal };
}
