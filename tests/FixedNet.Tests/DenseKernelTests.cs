using System;
using System.Runtime.Intrinsics;
using FixedNet.Kernels;
using FixedNet.Operators;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// The dense kernels at every width (128, 256 and 512 bits, whatever the machine accelerates) and through the width
/// they pick, on shapes that reach every tile, remainder, prefetch and panel path, against sums in double precision.
/// </summary>
public class DenseKernelTests
{
    private readonly struct S1x1 : IDenseShape { public static int Inputs => 1; public static int Outputs => 1; }
    private readonly struct S3x2 : IDenseShape { public static int Inputs => 3; public static int Outputs => 2; }
    private readonly struct S4x4 : IDenseShape { public static int Inputs => 4; public static int Outputs => 4; }
    private readonly struct S13x3 : IDenseShape { public static int Inputs => 13; public static int Outputs => 3; }
    private readonly struct S8x16 : IDenseShape { public static int Inputs => 8; public static int Outputs => 16; } // two rows per 512-bit vector
    private readonly struct S8x48 : IDenseShape { public static int Inputs => 8; public static int Outputs => 48; }
    private readonly struct S16x16 : IDenseShape { public static int Inputs => 16; public static int Outputs => 16; }
    private readonly struct S16x35 : IDenseShape { public static int Inputs => 16; public static int Outputs => 35; } // two 16-row blocks, then 3 rows
    private readonly struct S21x13 : IDenseShape { public static int Inputs => 21; public static int Outputs => 13; }
    private readonly struct S33x9 : IDenseShape { public static int Inputs => 33; public static int Outputs => 9; }
    private readonly struct S100x7 : IDenseShape { public static int Inputs => 100; public static int Outputs => 7; }
    private readonly struct S784x50 : IDenseShape { public static int Inputs => 784; public static int Outputs => 50; } // rows in panels of 39
    private readonly struct S2000x20 : IDenseShape { public static int Inputs => 2000; public static int Outputs => 20; } // panels of 15, 2 rows after

    public static TheoryData<string> Shapes => ["1x1", "3x2", "4x4", "8x16", "8x48", "13x3", "16x16", "16x35", "21x13", "33x9", "100x7", "784x50", "2000x20"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryKernel_AtEveryWidth_MatchesDoublePrecision(string shape)
    {
        switch (shape)
        {
            case "1x1": Check<S1x1>(); break;
            case "3x2": Check<S3x2>(); break;
            case "4x4": Check<S4x4>(); break;
            case "13x3": Check<S13x3>(); break;
            case "8x16": Check<S8x16>(); break;
            case "8x48": Check<S8x48>(); break;
            case "16x16": Check<S16x16>(); break;
            case "16x35": Check<S16x35>(); break;
            case "21x13": Check<S21x13>(); break;
            case "33x9": Check<S33x9>(); break;
            case "100x7": Check<S100x7>(); break;
            case "784x50": Check<S784x50>(); break;
            case "2000x20": Check<S2000x20>(); break;
            default: throw new ArgumentException(shape, nameof(shape));
        }
    }

    [Fact]
    public void VectorBits_TakesTheWidthWithFewestSteps_WithinTheMachinesWidth()
    {
        int machine = Runtime.Simd.VectorBits;
        Assert.Equal(128, Dense.VectorBits<S13x3>());                      // 3 vectors + 1 column, not 1 + 5
        Assert.Equal(128, Dense.VectorBits<S4x4>());
        Assert.Equal(Math.Min(machine, 512), Dense.VectorBits<S16x16>());   // one vector at any width: the widest
        Assert.Equal(Math.Min(machine, 512), Dense.VectorBits<S784x50>());
        Assert.Equal(Math.Min(machine, 512), Dense.VectorBits<S100x7>());   // 6 + 4 at 512, 12 + 4 at 256, 25 at 128
        Assert.Equal(Math.Min(machine, 512), Dense.VectorBits<S1x1>());     // no whole vector at any width: a tie, and ties go to the widest
    }

    private static void Check<S>() where S : IDenseShape
    {
        Widths<S, Vector128<float>, Vector128Math>(128);
        Widths<S, Vector256<float>, Vector256Math>(256);
        Widths<S, Vector512<float>, Vector512Math>(512);
        Widths<S, Vector128<float>, Vector128Math>(0); // 0: through Dense.Forward<S> and the others, at the width they pick
    }

    private static void Widths<S, T, M>(int bits) where S : IDenseShape where T : struct where M : IVectorMath<T>
    {
        int inputs = S.Inputs, outputs = S.Outputs;
        var random = new Random(inputs * 1000 + outputs + bits);
        float[] parameters = Values(random, inputs * outputs + outputs);
        foreach (int n in new[] { 1, 3, 4, 5, 8, 9, 17, 32 })
        {
            string where = $"{inputs}x{outputs}, {(bits == 0 ? "picked" : bits + "-bit")}, n = {n}";
            float[] x = Values(random, n * inputs), d = Values(random, n * outputs);
            for (int k = 0; k < d.Length; k += 3) d[k] = 0f; // zero deltas, as below inactive ReLU units
            float[] a = Values(random, n * inputs), z = Values(random, n * inputs);

            // y = W·x + b, one sample and a batch
            var y = new float[n * outputs];
            if (n == 1) { if (bits == 0) Dense.Forward<S>(ref parameters[0], ref x[0], ref y[0]); else Dense.Forward<T, M, S>(ref parameters[0], ref x[0], ref y[0]); }
            else if (bits == 0) Dense.ForwardBatch<S>(ref parameters[0], ref x[0], ref y[0], n);
            else Dense.ForwardBatch<T, M, S>(ref parameters[0], ref x[0], ref y[0], n);
            for (int s = 0; s < n; s++)
            {
                for (int j = 0; j < outputs; j++)
                {
                    double sum = parameters[inputs * outputs + j], scale = Math.Abs(sum);
                    for (int i = 0; i < inputs; i++) { sum += (double)parameters[j * inputs + i] * x[s * inputs + i]; scale += Math.Abs(parameters[j * inputs + i] * x[s * inputs + i]); }
                    Near(sum, y[s * outputs + j], scale, where + ", forward");
                }
            }

            // m += c·Σ_s d ⊗ x (and biases), one sample (with and without skipping zero rows) and a batch
            foreach (bool skip in new[] { false, true })
            {
                if (n > 1 && skip) continue;
                float[] m = Values(random, parameters.Length), before = (float[])m.Clone();
                const float c = -0.37f;
                if (n == 1)
                {
                    if (bits == 0) Dense.AddOuterProduct<S>(ref m[0], c, ref d[0], ref x[0], skip);
                    else Dense.AddOuterProduct<T, M, S>(ref m[0], c, ref d[0], ref x[0], skip);
                }
                else if (bits == 0) Dense.AddOuterProductBatch<S>(ref m[0], c, ref d[0], ref x[0], n);
                else Dense.AddOuterProductBatch<T, M, S>(ref m[0], c, ref d[0], ref x[0], n);
                for (int j = 0; j < outputs; j++)
                {
                    for (int i = 0; i <= inputs; i++) // i = inputs: the bias
                    {
                        int index = i < inputs ? j * inputs + i : inputs * outputs + j;
                        double sum = 0, scale = Math.Abs(before[index]);
                        for (int s = 0; s < n; s++)
                        {
                            double term = (double)d[s * outputs + j] * (i < inputs ? x[s * inputs + i] : 1f);
                            sum += term;
                            scale += Math.Abs(c * term);
                        }
                        Near(before[index] + c * sum, m[index], scale, where + ", outer product" + (skip ? " (skipping zero rows)" : ""));
                    }
                }
            }

            // below = (Wᵀ·d)·f′: one sample without f′, batches with ReLU (f′ from a), GELU (from z) and the identity
            if (n == 1)
            {
                var below = new float[inputs];
                if (bits == 0) Dense.Backpropagate<S>(ref parameters[0], ref d[0], ref below[0]);
                else Dense.Backpropagate<T, M, S>(ref parameters[0], ref d[0], ref below[0]);
                CheckBelow(parameters, d, below, 1, inputs, outputs, (_, _) => 1.0, where + ", backpropagate");
                continue;
            }
            CheckBatchBelow<S, T, M, ReLUOperator>(bits, parameters, d, z, a, n, (_, av) => av > 0 ? 1.0 : 0.0, where + ", ReLU");
            CheckBatchBelow<S, T, M, GeluOperator>(bits, parameters, d, z, a, n,
                (zv, _) => 0.5 * (1 + Erf(zv / Math.Sqrt(2))) + zv * Math.Exp(-zv * zv / 2) / Math.Sqrt(2 * Math.PI), where + ", GELU");
            CheckBatchBelow<S, T, M, IdentityOperator>(bits, parameters, d, z, a, n, (_, _) => 1.0, where + ", identity");
        }
    }

    private static void CheckBatchBelow<S, T, M, TActivation>(int bits, float[] parameters, float[] d, float[] z, float[] a, int n, Func<double, double, double> derivative, string where)
        where S : IDenseShape where T : struct where M : IVectorMath<T> where TActivation : IActivationOperator
    {
        var below = new float[n * S.Inputs];
        if (bits == 0) Dense.BackpropagateBatch<S, TActivation>(ref parameters[0], ref d[0], ref below[0], ref z[0], ref a[0], n);
        else Dense.BackpropagateBatch<T, M, S, TActivation>(ref parameters[0], ref d[0], ref below[0], ref z[0], ref a[0], n);
        CheckBelow(parameters, d, below, n, S.Inputs, S.Outputs, (s, i) => derivative(z[s * S.Inputs + i], a[s * S.Inputs + i]), where);
    }

    private static void CheckBelow(float[] parameters, float[] d, float[] below, int n, int inputs, int outputs, Func<int, int, double> derivative, string where)
    {
        for (int s = 0; s < n; s++)
        {
            for (int i = 0; i < inputs; i++)
            {
                double sum = 0, scale = 0;
                for (int j = 0; j < outputs; j++) { sum += (double)parameters[j * inputs + i] * d[s * outputs + j]; scale += Math.Abs(parameters[j * inputs + i] * d[s * outputs + j]); }
                double f = derivative(s, i);
                // + 0.1: f′ itself is single precision (GELU's erf within 3.3e-7), so where f′ is near 0 its error still counts
                Near(sum * f, below[s * inputs + i], scale * (Math.Abs(f) + 0.1), where + $" [{s}, {i}]");
            }
        }
    }

    private static void Near(double expected, float actual, double scale, string where) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * scale + 1e-6, $"{where}: expected {expected}, got {actual}");

    private static float[] Values(Random random, int count)
    {
        var values = new float[count];
        for (int k = 0; k < count; k++) values[k] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    // erf by its Maclaurin series in double precision; z lies in [−1, 1] here, where it converges fast.
    private static double Erf(double x)
    {
        double sum = x, term = x;
        for (int k = 1; k < 60; k++)
        {
            term *= -x * x / k;
            sum += term / (2 * k + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
