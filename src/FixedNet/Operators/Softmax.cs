using System;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace FixedNet.Operators;

/// <summary>
/// The softmax <c>o_k = e^(z_k) / Σ_j e^(z_j)</c> over a row, the one activation that is not element-wise (last layer
/// only), and its backward step. Vectorized: <see cref="ExpOperator"/> through <see cref="Activations.Apply{TOp}"/>.
/// </summary>
public static class Softmax
{
    /// <summary>
    /// Writes <c>o_k = e^(z_k − m) / Σ_j e^(z_j − m)</c> with <c>m = max z</c> (the shift cancels and prevents overflow)
    /// and returns the log-sum-exp <c>m + log Σ_j e^(z_j − m)</c>, so that <c>log o_k = z_k − lse</c> exactly.
    /// </summary>
    /// <remarks><paramref name="o"/> must have the length of <paramref name="z"/> and not overlap it.</remarks>
    public static float Forward(ReadOnlySpan<float> z, Span<float> o)
    {
        float max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, o);
        ref float e = ref MemoryMarshal.GetReference(o);
        Activations.Apply<ExpOperator>(ref e, ref e, o.Length);
        float sum = TensorPrimitives.Sum(o);
        TensorPrimitives.Multiply(o, 1f / sum, o);
        return max + MathF.Log(sum);
    }

    /// <summary>
    /// Back through the softmax: <c>d_k = o_k·(g_k − Σ_j g_j·o_j)</c>, from the gradient <c>g = ∂L/∂o</c> to
    /// <c>d = ∂L/∂z</c>. <paramref name="d"/> may be <paramref name="g"/> itself.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> o, ReadOnlySpan<float> g, Span<float> d)
    {
        float dot = TensorPrimitives.Dot(g, o);
        TensorPrimitives.Subtract(g, dot, d);
        TensorPrimitives.Multiply(d, o, d);
    }
}
