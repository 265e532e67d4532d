using MnistDenoise.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MnistDenoise.Tests.Model;

public class TfAdamOptimizerTests
{
    // TF1's ApplyAdam, written out here in float64 from its definition (independently of the optimizer's code).
    private static double[] TfAdamReference(double[] w, IReadOnlyList<double[]> gradients, double lr = 0.001, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8)
    {
        var (m, v, x) = (new double[w.Length], new double[w.Length], (double[])w.Clone());
        for (var t = 1; t <= gradients.Count; t++)
        {
            var alpha = lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
            for (var i = 0; i < x.Length; i++)
            {
                var g = gradients[t - 1][i];
                m[i] += (g - m[i]) * (1 - b1);
                v[i] += (g * g - v[i]) * (1 - b2);
                x[i] -= alpha * m[i] / (Math.Sqrt(v[i]) + eps);
            }
        }
        return x;
    }

    private static (double[] Weights, double[] PyTorch) Run(double[] start, IReadOnlyList<double[]> gradients)
    {
        using var p = new Parameter(tensor(start.Select(d => (float)d).ToArray()));
        using var q = new Parameter(tensor(start.Select(d => (float)d).ToArray()));
        using var ours = new TfAdamOptimizer([p]);
        using var pytorch = optim.Adam([q], lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8);
        foreach (var g in gradients)
        {
            p.grad = tensor(g.Select(d => (float)d).ToArray());
            q.grad = tensor(g.Select(d => (float)d).ToArray());
            ours.step();
            pytorch.step();
        }
        return (p.data<float>().Select(f => (double)f).ToArray(), q.data<float>().Select(f => (double)f).ToArray());
    }

    [Fact]
    public void Steps_follow_tensorflow_1s_formula_where_pytorchs_adam_does_not()
    {
        // Gradients from 1e-9 (where ε dominates, and the two rules differ most) to 1; three steps.
        double[] start = [0.5, -0.25, 0.1, 0.0, 1.0, -1.0];
        double[][] gradients =
        [
            [1e-9, -1e-7, 1e-6, 1e-4, 0.01, -1.0],
            [2e-9, -3e-7, -1e-6, 5e-5, 0.02, -0.5],
            [1e-9, 1e-7, 2e-6, -1e-4, -0.01, 0.25],
        ];
        var expected = TfAdamReference(start, gradients);
        var (ours, pytorch) = Run(start, gradients);
        for (var i = 0; i < start.Length; i++)
        {
            // float32 weights near 1 keep ~6e-8; the updates themselves are ~1e-3.
            Assert.True(Math.Abs(ours[i] - expected[i]) < 2e-7, $"weight {i}: {ours[i]:R} vs TF's {expected[i]:R}");
        }
        // For small gradients PyTorch's ε placement moves the weights by up to ~1e-3 differently (why this class exists).
        Assert.True(Math.Abs(pytorch[1] - expected[1]) > 1e-5, $"PyTorch {pytorch[1]:R} vs TF {expected[1]:R}");
    }

    [Fact]
    public void Saved_state_continues_exactly_and_a_state_of_other_parameters_is_refused_unchanged()
    {
        using var a = new Parameter(tensor(new float[] { 1, 2, 3 }));
        using var adam = new TfAdamOptimizer([a]);
        a.grad = tensor(new float[] { 0.1f, -0.2f, 0.3f });
        adam.step();
        using var saved = new MemoryStream();
        using (var w = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true)) adam.Save(w);

        using var b = new Parameter(tensor(a.data<float>().ToArray()));
        using var resumed = new TfAdamOptimizer([b]);
        saved.Position = 0;
        resumed.Load(new BinaryReader(saved), r => TensorExtensionMethods.Load(r, skip: false));
        Assert.Equal(1, resumed.Steps);
        foreach (var (p, opt) in new[] { (a, adam), (b, resumed) })
        {
            p.grad = tensor(new float[] { 0.05f, 0.05f, -0.4f });
            opt.step();
        }
        Assert.Equal(a.data<float>().ToArray(), b.data<float>().ToArray());

        using var other = new Parameter(zeros(4));
        using var mismatched = new TfAdamOptimizer([other]);
        saved.Position = 0;
        var e = Assert.Throws<InvalidDataException>(() => mismatched.Load(new BinaryReader(saved), r => TensorExtensionMethods.Load(r, skip: false)));
        Assert.Contains("(3)", e.Message);
        Assert.Equal(0, mismatched.Steps);
    }
}
