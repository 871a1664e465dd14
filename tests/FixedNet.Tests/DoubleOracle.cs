using System;
using System.Collections.Generic;
using FixedNet;

namespace FixedNet.Tests;

/// <summary>
/// An independent double-precision implementation of the forward pass and losses, written straight from the
/// formulas (no shared code with the library), used to compute exact values and finite-difference gradients.
/// </summary>
internal static class DoubleOracle
{
    /// <summary>The output; with <paramref name="masks"/>, each layer's outputs are multiplied by its mask (dropout in training; null: none).</summary>
    public static double[] Forward(NetworkArchitecture architecture, IReadOnlyList<double> p, ReadOnlySpan<float> input, out double[] logits, IReadOnlyList<double[]?>? masks = null)
    {
        var x = new double[input.Length];
        for (int i = 0; i < x.Length; i++) x[i] = input[i];
        logits = x;
        for (int l = 0; l < architecture.Layers.Count; l++)
        {
            var layer = architecture.Layers[l];
            var z = new double[layer.Size];
            for (int j = 0; j < layer.Size; j++)
            {
                double sum = p[layer.BiasOffset + j];
                for (int i = 0; i < layer.Inputs; i++) sum += p[layer.WeightOffset + j * layer.Inputs + i] * x[i];
                z[j] = sum;
            }
            logits = z;
            var a = new double[layer.Size];
            if (layer.Activation == Activation.Softmax)
            {
                double max = double.NegativeInfinity;
                foreach (var v in z) max = Math.Max(max, v);
                double s = 0;
                for (int j = 0; j < z.Length; j++) s += Math.Exp(z[j] - max);
                for (int j = 0; j < z.Length; j++) a[j] = Math.Exp(z[j] - max) / s;
            }
            else
            {
                for (int j = 0; j < z.Length; j++)
                {
                    a[j] = Activate(layer.Activation, z[j]);
                }
            }
            if (masks?[l] is { } mask)
            {
                for (int j = 0; j < a.Length; j++) a[j] *= mask[j];
            }
            x = a;
        }
        return x;
    }

    /// <summary>The element-wise activations straight from their definitions (PyTorch's, for the ones it has).</summary>
    public static double Activate(Activation activation, double z) => activation switch
    {
        Activation.Identity => z,
        Activation.Sigmoid => 1.0 / (1.0 + Math.Exp(-z)),
        Activation.Tanh => Math.Tanh(z),
        Activation.ReLU => Math.Max(0.0, z),
        Activation.LeakyReLU => z > 0 ? z : 0.01 * z,
        Activation.GELU => 0.5 * z * (1 + Erf(z / Math.Sqrt(2))),
        Activation.SiLU => z / (1.0 + Math.Exp(-z)),
        Activation.ELU => z > 0 ? z : Math.Exp(z) - 1,
        // below −10, 1 + e^z would round e^z away: log(1 + u) = u − u²/2 + u³/3 there (u < 4.6e-5)
        Activation.Softplus => z > 20 ? z : z < -10 ? Math.Exp(z) - Math.Exp(2 * z) / 2 + Math.Exp(3 * z) / 3 : Math.Log(1 + Math.Exp(z)),
        _ => throw new InvalidOperationException(activation + " is not element-wise."),
    };

    /// <summary>erf x in double precision: its Taylor series below |x| = 3, its continued fraction for erfc above.</summary>
    public static double Erf(double x)
    {
        double ax = Math.Abs(x);
        if (ax < 3)
        {
            double sum = 0, term = x;
            for (int n = 0; n < 100; n++)
            {
                sum += term / (2 * n + 1);
                term *= -x * x / (n + 1);
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        double fraction = 0;
        for (int k = 60; k >= 1; k--) fraction = k / 2.0 / (ax + fraction);
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / (ax + fraction);
        return Math.Sign(x) * (1 - erfc);
    }

    public static double Loss(NetworkArchitecture architecture, IReadOnlyList<double> p, ReadOnlySpan<float> input, ReadOnlySpan<float> target, IReadOnlyList<double[]?>? masks = null)
    {
        var o = Forward(architecture, p, input, out var z, masks);
        int n = o.Length;
        double sum = 0;
        switch (architecture.Loss)
        {
            case FixedNet.Loss.MeanSquaredError:
                for (int k = 0; k < n; k++) sum += (o[k] - target[k]) * (o[k] - target[k]);
                return sum / n;
            case FixedNet.Loss.HalfSquaredError:
                for (int k = 0; k < n; k++) sum += (o[k] - target[k]) * (o[k] - target[k]);
                return 0.5 * sum;
            case FixedNet.Loss.CrossEntropy:
                for (int k = 0; k < n; k++) sum -= target[k] * Math.Log(o[k]);
                return sum;
            case FixedNet.Loss.L1:
                for (int k = 0; k < n; k++) sum += Math.Abs(o[k] - target[k]);
                return sum / n;
            case FixedNet.Loss.Huber:
                for (int k = 0; k < n; k++)
                {
                    double d = Math.Abs(o[k] - target[k]);
                    sum += d < 1 ? 0.5 * d * d : d - 0.5;
                }
                return sum / n;
            default:
                for (int k = 0; k < n; k++) sum -= target[k] * Math.Log(o[k]) + (1 - target[k]) * Math.Log(1 - o[k]);
                return sum / n;
        }
    }

    /// <summary>∂L/∂θ by central differences in double precision.</summary>
    public static double[] NumericGradient(NetworkArchitecture architecture, ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, ReadOnlySpan<float> target,
        IReadOnlyList<double[]?>? masks = null)
    {
        var p = new double[parameters.Length];
        for (int k = 0; k < p.Length; k++) p[k] = parameters[k];
        var gradient = new double[p.Length];
        for (int k = 0; k < p.Length; k++)
        {
            double original = p[k];
            double h = 1e-6 * Math.Max(1.0, Math.Abs(original));
            p[k] = original + h;
            double plus = Loss(architecture, p, input, target, masks);
            p[k] = original - h;
            double minus = Loss(architecture, p, input, target, masks);
            p[k] = original;
            gradient[k] = (plus - minus) / (2 * h);
        }
        return gradient;
    }

    /// <summary>
    /// The dropout masks of the sample at position <paramref name="state"/>: which units are kept is FixedNet's random draw
    /// (<see cref="FixedNet.Operators.Dropout.Keeps"/>), the factor of a kept one is 1/(1 − p) in double precision.
    /// Null when the network has no dropout.
    /// </summary>
    public static double[]?[]? DropoutMasks(NetworkArchitecture architecture, ulong state)
    {
        if (!architecture.HasDropout) return null;
        var masks = new double[]?[architecture.Layers.Count];
        for (int l = 0; l < masks.Length; l++)
        {
            var layer = architecture.Layers[l];
            if (layer.Dropout <= 0f) continue;
            uint key = FixedNet.Operators.Dropout.Key(state, l), threshold = FixedNet.Operators.Dropout.Threshold(layer.Dropout);
            masks[l] = new double[layer.Size];
            for (int u = 0; u < layer.Size; u++) masks[l]![u] = FixedNet.Operators.Dropout.Keeps(key, u, threshold) ? 1.0 / (1.0 - layer.Dropout) : 0.0;
        }
        return masks;
    }
}
