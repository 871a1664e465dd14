using System;
using System.Linq;
using FixedNet.Operators;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// <see cref="Softmax"/> at the width this process runs (linked into the pinned-width projects), for every row length
/// around the vector widths: a row that is not a whole number of vectors ends in an overlapping vector whose repeated
/// lanes must count once.
/// </summary>
public class SoftmaxTests
{
    private static float[] Row(Random random, int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();

    [Fact]
    public void Forward_SumsToOne_AndReturnsTheLogSumExp_ForEveryLength()
    {
        var random = new Random(3);
        for (int n = 1; n <= 70; n++)
        {
            float[] z = Row(random, n, 30);
            var o = new float[n];
            float lse = Softmax.Forward(z, o);
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            Assert.Equal(max + Math.Log(sum), lse, 1e-5 * Math.Max(1, Math.Abs(lse)));
            for (int k = 0; k < n; k++)
            {
                double exact = Math.Exp(z[k] - max) / sum;
                // z_k − max is rounded to float first: its ulp, times e^(z_k − max), is the error that cannot be avoided
                Assert.True(Math.Abs(o[k] - exact) <= (1e-6 + 1.2e-7 * (max - z[k])) * exact + 1e-38, $"softmax of {n}, [{k}]: {o[k]:R}, exact {exact:R}");
            }
        }
    }

    [Fact]
    public void Forward_ShiftsByTheMax_SoLargeInputsDoNotOverflow_AndNaNComesOutNaN()
    {
        float[] z = [1000f, 999f, 998f, 1000f, 0f, -1000f, 1000f, 999f, 998f, 1000f];
        var o = new float[z.Length];
        float lse = Softmax.Forward(z, o);
        double sum = z.Sum(v => Math.Exp(v - 1000.0));
        Assert.Equal(1000 + Math.Log(sum), lse, 1e-3);
        for (int k = 0; k < z.Length; k++) Assert.Equal(Math.Exp(z[k] - 1000.0) / sum, o[k], 1e-6);

        for (int n = 1; n <= 20; n++)
            for (int nan = 0; nan < n; nan++)
            {
                var withNaN = Enumerable.Range(0, n).Select(k => k == nan ? float.NaN : 0.5f * k).ToArray();
                var out1 = new float[n];
                Assert.True(float.IsNaN(Softmax.Forward(withNaN, out1)), $"lse, NaN at {nan} of {n}");
                Assert.All(out1, v => Assert.True(float.IsNaN(v), $"NaN at {nan} of {n}"));
            }
    }

    [Fact]
    public void Backward_IsTheJacobianProduct_ForEveryLength_AndInPlace()
    {
        var random = new Random(5);
        for (int n = 1; n <= 70; n++)
        {
            var o = new float[n];
            Softmax.Forward(Row(random, n, 4), o);
            float[] g = Row(random, n, 1);
            var d = new float[n];
            Softmax.Backward(o, g, d);
            double dot = Enumerable.Range(0, n).Sum(j => (double)g[j] * o[j]);
            for (int k = 0; k < n; k++)
                Assert.True(Math.Abs(d[k] - o[k] * (g[k] - dot)) <= 1e-6 * (Math.Abs(o[k]) + 1e-30) + 1e-9, $"{n}, [{k}]: {d[k]:R}, exact {o[k] * (g[k] - dot):R}");
            var inPlace = g.ToArray();
            Softmax.Backward(o, inPlace, inPlace);
            Assert.Equal(d, inPlace);
        }
    }

    [Fact]
    public void MismatchedLengths_ThrowAndNameTheArgument()
    {
        Assert.Equal("o", Assert.Throws<ArgumentException>(() => Softmax.Forward(new float[5], new float[4])).ParamName);
        Assert.Equal("g", Assert.Throws<ArgumentException>(() => Softmax.Backward(new float[5], new float[4], new float[5])).ParamName);
        Assert.Equal("d", Assert.Throws<ArgumentException>(() => Softmax.Backward(new float[5], new float[5], new float[6])).ParamName);
        Assert.Equal(float.NegativeInfinity, Softmax.Forward([], []));
    }
}
