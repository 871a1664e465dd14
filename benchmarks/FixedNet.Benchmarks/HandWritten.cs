using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FixedNet.Benchmarks;

/// <summary>
/// The in-run reference for the small shapes: an MLP written by hand the way the fastest tiny-network engines
/// (RTNeural's compile-time models) are, with none of FixedNet's code. Weights are kept column-major
/// (<c>Wt[i, j]</c>), so a layer is <c>z[j…j+7] = b[j…j+7] + Σ_i x_i·Wt[i, j…j+7]</c>: one broadcast and one FMA per
/// input for 8 units at a time (32 or 16 at a time in four or two independent chains where the layer has them), and the activation
/// on the same register: sigmoid <c>1/(1 + e^(−z))</c> and tanh
/// <c>1 − 2/(e^(2z) + 1)</c> with <c>Vector256.Exp</c>. Units past the last multiple of 8 (outputs of 1, 2 or 10) are
/// scalar. Sigmoid, Tanh, ReLU or Identity hidden layers; those or Softmax out; MeanSquaredError or CrossEntropy.
/// </summary>
public sealed class HandWrittenMlp
{
    private readonly NetworkArchitecture _architecture;
    private readonly float[][] _wt, _b, _a, _d;

    public HandWrittenMlp(INetwork source)
    {
        _architecture = source.Architecture;
        int layers = _architecture.Layers.Count;
        (_wt, _b, _a, _d) = (new float[layers][], new float[layers][], new float[layers][], new float[layers][]);
        for (int l = 0; l < layers; l++)
        {
            var layer = _architecture.Layers[l];
            if (layer.Activation is not (Activation.Identity or Activation.Sigmoid or Activation.Tanh or Activation.ReLU or Activation.Softmax))
                throw new ArgumentException($"The hand-written reference has no {layer.Activation}.", nameof(source));
            _wt[l] = new float[layer.WeightCount];
            for (int j = 0; j < layer.Size; j++)
                for (int i = 0; i < layer.Inputs; i++) _wt[l][i * layer.Size + j] = source.Parameters[layer.WeightOffset + j * layer.Inputs + i];
            _b[l] = source.Parameters.Slice(layer.BiasOffset, layer.Size).ToArray();
            _a[l] = new float[layer.Size];
            _d[l] = new float[layer.Size];
        }
    }

    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        Run(input);
        _a[^1].CopyTo(output);
    }

    /// <summary>One SGD step on one sample; returns the loss before the update.</summary>
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate)
    {
        Run(input);
        int last = _a.Length - 1;
        var o = _a[last];
        var d = _d[last];
        float loss = 0f;
        bool crossEntropy = _architecture.Loss == Loss.CrossEntropy;
        for (int k = 0; k < o.Length; k++)
        {
            if (crossEntropy)
            {
                loss -= target[k] * MathF.Log(o[k]);
                d[k] = o[k] - target[k];
            }
            else
            {
                float r = o[k] - target[k];
                loss += r * r;
                d[k] = 2f / o.Length * r * Slope(_architecture.Layers[last].Activation, o[k]);
            }
        }
        if (!crossEntropy) loss /= o.Length;
        for (int l = last; l >= 0; l--)
        {
            var layer = _architecture.Layers[l];
            ReadOnlySpan<float> x = l == 0 ? input : _a[l - 1];
            float[] wt = _wt[l], delta = _d[l];
            int size = layer.Size;
            if (l > 0)
            {
                // d_below[i] = (Σ_j Wt[i, j]·d[j])·f′(a_below[i]), before the weights move
                var below = _d[l - 1];
                var activation = _architecture.Layers[l - 1].Activation;
                for (int i = 0; i < layer.Inputs; i++)
                {
                    ref float row = ref wt[i * size];
                    float sum = 0f;
                    int j = 0;
                    if (size >= 8)
                    {
                        var acc = Vector256<float>.Zero;
                        for (; j + 8 <= size; j += 8) acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref row, (nuint)j), Vector256.LoadUnsafe(ref delta[0], (nuint)j), acc);
                        sum = Vector256.Sum(acc);
                    }
                    for (; j < size; j++) sum += Unsafe.Add(ref row, j) * delta[j];
                    below[i] = sum * Slope(activation, _a[l - 1][i]);
                }
            }
            // Wt[i, j] −= η·x_i·d[j], b[j] −= η·d[j]
            for (int i = 0; i < layer.Inputs; i++)
            {
                ref float row = ref wt[i * size];
                float c = -learningRate * x[i];
                int j = 0;
                for (; j + 8 <= size; j += 8)
                    Vector256.FusedMultiplyAdd(Vector256.Create(c), Vector256.LoadUnsafe(ref delta[0], (nuint)j), Vector256.LoadUnsafe(ref row, (nuint)j)).StoreUnsafe(ref row, (nuint)j);
                for (; j < size; j++) Unsafe.Add(ref row, j) += c * delta[j];
            }
            for (int j = 0; j < size; j++) _b[l][j] -= learningRate * delta[j];
        }
        return loss;
    }

    private void Run(ReadOnlySpan<float> input)
    {
        ReadOnlySpan<float> x = input;
        for (int l = 0; l < _a.Length; l++)
        {
            var layer = _architecture.Layers[l];
            float[] wt = _wt[l], b = _b[l], a = _a[l];
            int size = layer.Size, j = 0;
            // 32 units at a time in four independent accumulators (one FMA chain would wait on its own latency), then 16, then 8
            for (; j + 32 <= size; j += 32)
            {
                ref float w0 = ref wt[j];
                var (acc0, acc1, acc2, acc3) = (Vector256.LoadUnsafe(ref b[j]), Vector256.LoadUnsafe(ref b[j], 8), Vector256.LoadUnsafe(ref b[j], 16), Vector256.LoadUnsafe(ref b[j], 24));
                for (int i = 0; i < x.Length; i++)
                {
                    var xi = Vector256.Create(x[i]);
                    nuint row = (nuint)(i * size);
                    acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w0, row), xi, acc0);
                    acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w0, row + 8), xi, acc1);
                    acc2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w0, row + 16), xi, acc2);
                    acc3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w0, row + 24), xi, acc3);
                }
                Activate(layer.Activation, acc0).StoreUnsafe(ref a[j]);
                Activate(layer.Activation, acc1).StoreUnsafe(ref a[j], 8);
                Activate(layer.Activation, acc2).StoreUnsafe(ref a[j], 16);
                Activate(layer.Activation, acc3).StoreUnsafe(ref a[j], 24);
            }
            for (; j + 16 <= size; j += 16)
            {
                ref float w0 = ref wt[j];
                var (acc0, acc1) = (Vector256.LoadUnsafe(ref b[j]), Vector256.LoadUnsafe(ref b[j], 8));
                for (int i = 0; i < x.Length; i++)
                {
                    var xi = Vector256.Create(x[i]);
                    nuint row = (nuint)(i * size);
                    acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w0, row), xi, acc0);
                    acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w0, row + 8), xi, acc1);
                }
                Activate(layer.Activation, acc0).StoreUnsafe(ref a[j]);
                Activate(layer.Activation, acc1).StoreUnsafe(ref a[j], 8);
            }
            for (; j + 8 <= size; j += 8)
            {
                var acc = Vector256.LoadUnsafe(ref b[0], (nuint)j);
                for (int i = 0; i < x.Length; i++) acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref wt[0], (nuint)(i * size + j)), Vector256.Create(x[i]), acc);
                Activate(layer.Activation, acc).StoreUnsafe(ref a[0], (nuint)j);
            }
            for (; j < size; j++)
            {
                float z = b[j];
                for (int i = 0; i < x.Length; i++) z += wt[i * size + j] * x[i];
                a[j] = layer.Activation == Activation.Softmax ? z : Activate(layer.Activation, Vector256.Create(z)).ToScalar();
            }
            if (layer.Activation == Activation.Softmax)
            {
                float max = a[0], sum = 0f;
                for (int k = 1; k < size; k++) max = MathF.Max(max, a[k]);
                for (int k = 0; k < size; k++) sum += a[k] = MathF.Exp(a[k] - max);
                for (int k = 0; k < size; k++) a[k] /= sum;
            }
            x = a;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Activate(Activation activation, Vector256<float> z) => activation switch
    {
        Activation.Sigmoid => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-z)),
        Activation.Tanh => Vector256<float>.One - Vector256.Create(2f) / (Vector256.Exp(z + z) + Vector256<float>.One),
        Activation.ReLU => Vector256.Max(z, Vector256<float>.Zero),
        _ => z,
    };

    private static float Slope(Activation activation, float a) => activation switch
    {
        Activation.Sigmoid => a * (1f - a),
        Activation.Tanh => 1f - a * a,
        Activation.ReLU => a > 0f ? 1f : 0f,
        _ => 1f,
    };
}
