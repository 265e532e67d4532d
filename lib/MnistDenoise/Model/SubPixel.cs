using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MnistDenoise.Model;

/// <summary>
/// An exact reformulation of the decoder's "nearest-neighbour upsampling by 2, then a 5×5 SAME convolution":
/// <c>conv5x5_same(upsample2x(x), W) == pixel_shuffle(conv3x3_same(x, W'), 2)</c>, where <c>W'</c> is a fixed 0/1
/// combination of <c>W</c>'s taps. It does the arithmetic of the small map instead of the 4× larger one.
/// </summary>
/// <remarks>
/// Output pixel (2i + a, 2j + b) of the big map, with phase a, b ∈ {0, 1}, reads big-map row 2i + a + d for tap offset
/// d ∈ {−2 … 2}; that row is a copy of small-map row floor((2i + a + d) / 2) = i + floor((a + d) / 2), an offset in
/// {−1, 0, 1}. So each phase is a 3×3 convolution of the small map whose taps are sums of the 5×5 taps that land on
/// the same source pixel. The big map's zero padding is outside it exactly when the source row is outside the small
/// map, so SAME padding maps onto SAME padding (pad 1) and the identity holds at the borders too. The four phases
/// become 4·out channels, ordered as <c>pixel_shuffle</c> expects (channel o·4 + a·2 + b goes to phase (a, b) of
/// channel o). W' is computed from W by an einsum in every call, so gradients reach W unchanged.
/// </remarks>
public static class SubPixel
{
    /// <summary>
    /// Taps[a, s, d] = 1 when 5×5 tap offset d − 2 of output phase a reads small-map offset s − 1, else 0
    /// (floor((a + d − 2) / 2) = s − 1). Shape (2, 3, 5); rows: phase 0 merges taps {0,1}{2,3}{4}, phase 1 {0}{1,2}{3,4}.
    /// </summary>
    public static readonly float[,,] Taps = BuildTaps();

    /// <summary>
    /// PhaseTaps[a, p, s, d] = 1 when tap offset d − 2 of output phase a, reading a 2× map made by a pixel shuffle, lands on
    /// input phase p at small-map offset s − 1 (a + d − 2 = 2(s − 1) + p), else 0. Shape (2, 2, 3, 5): each 5×5 tap of
    /// each output phase appears exactly once.
    /// </summary>
    public static readonly float[,,,] PhaseTaps = BuildPhaseTaps();

    private static float[,,,] BuildPhaseTaps()
    {
        var taps = new float[2, 2, 3, Ops.KernelSize];
        for (var a = 0; a < 2; a++)
            for (var p = 0; p < 2; p++)
                for (var s = 0; s < 3; s++)
                    if (2 * (s - 1) + p - a + 2 is var d and >= 0 and < Ops.KernelSize)
                        taps[a, p, s, d] = 1;
        return taps;
    }

    private static void CheckKernel(Tensor w)
    {
        if (w.dim() != 4 || w.shape[0] != Ops.KernelSize || w.shape[1] != Ops.KernelSize)
            throw new ArgumentException($"Expected a kernel shaped (5, 5, in, out); got ({string.Join(", ", w.shape)}).", nameof(w));
    }

    private static float[,,] BuildTaps()
    {
        var taps = new float[2, 3, Ops.KernelSize];
        for (var a = 0; a < 2; a++)
            for (var d = 0; d < Ops.KernelSize; d++)
                taps[a, (int)Math.Floor((a + d - 2) / 2.0) + 1, d] = 1;
        return taps;
    }

    /// <summary>
    /// The 3×3 kernel of the four output phases, in convolution order (4·out, in, 3, 3), from a 5×5 kernel in the
    /// tutorial's layout (5, 5, in, out). Differentiable in <paramref name="w"/>; computed in <paramref name="w"/>'s dtype.
    /// </summary>
    public static Tensor MergedKernel(Tensor w)
    {
        CheckKernel(w);
        using var taps = tensor(Taps, dtype: w.dtype, device: w.device);
        // [o, a, b, i, s, t] = Σ_h,w Taps[a, s, h] · Taps[b, t, w] · W[h, w, i, o]
        var merged = einsum("ash,btw,hwio->oabist", taps, taps, w);
        return merged.reshape(w.shape[3] * 4, w.shape[2], 3, 3);
    }

    /// <summary>
    /// The kernel of a 5×5 SAME convolution applied to <c>pixel_shuffle(y, 2)</c>, as a 3×3 convolution from y's four
    /// phases (4·in channels, ordered as <c>pixel_shuffle</c> reads them) to the four phases of the output (4·out
    /// channels): shape (4·out, 4·in, 3, 3), from a kernel in the tutorial's layout (5, 5, in, out). The same products as
    /// the 5×5 convolution plus structural zeros (9·4 taps per output phase and input channel instead of 25), but on
    /// the small map, so neither the 2× map nor the shuffle that makes it is ever built.
    /// </summary>
    public static Tensor PhaseKernel(Tensor w)
    {
        CheckKernel(w);
        using var taps = tensor(PhaseTaps, dtype: w.dtype, device: w.device);
        // [o, a, b, i, p, q, s, t] = Σ_h,w PhaseTaps[a, p, s, h] · PhaseTaps[b, q, t, w] · W[h, w, i, o]
        var kernel = einsum("apsh,bqtw,hwio->oabipqst", taps, taps, w);
        return kernel.reshape(w.shape[3] * 4, w.shape[2] * 4, 3, 3);
    }

    /// <summary>
    /// <c>conv2d(upsampling(x, 2H, 2W), w, b, relu)</c> of <see cref="Ops"/>, computed on the small map. The result equals
    /// the literal form up to float rounding (the merged taps are summed before, not after, the multiplication).
    /// </summary>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Kernel (5, 5, C, out), the tutorial's layout.</param>
    /// <param name="b">Bias (out).</param>
    /// <param name="relu">Apply ReLU (elementwise, so it commutes with the pixel shuffle).</param>
    public static Tensor upsample2x_conv2d(Tensor x, Tensor w, Tensor b, bool relu = true) => PhaseConv(x, MergedKernel(w), b, relu);

    /// <summary>
    /// The four-phase 3×3 convolution with a kernel from <see cref="MergedKernel"/> (made by the caller, e.g. once per
    /// step or in another dtype), then the pixel shuffle that interleaves the phases into the 2× map.
    /// </summary>
    public static Tensor PhaseConv(Tensor x, Tensor mergedKernel, Tensor b, bool relu = true) =>
        F.pixel_shuffle(Phases(x, mergedKernel, b, relu), 2);

    /// <summary>
    /// The 3×3 convolution of the small map with a four-phase kernel (<see cref="MergedKernel"/> or
    /// <see cref="PhaseKernel"/>), bias and ReLU, giving the output's four phases as 4·out channels, not yet shuffled.
    /// </summary>
    public static Tensor Phases(Tensor x, Tensor kernel, Tensor b, bool relu = true)
    {
        var y = F.conv2d(x, kernel, b.repeat_interleave(4L), padding: [1, 1]);
        return relu ? F.relu(y) : y;
    }
}
