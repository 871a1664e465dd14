using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FixedNet.Runtime;

namespace FixedNet.Operators;

/// <summary>
/// The softmax <c>o_k = e^(z_k) / Σ_j e^(z_j)</c> over a row, the one activation that is not element-wise (last layer
/// only), and its backward step. Vectorized on the width ladder of <see cref="Activations.Apply{TOp}"/> (the widest
/// accelerated width whose vector the row fills, down to single floats below 4), with <see cref="ExpOperator"/>'s
/// exponential; a row that is not a whole number of vectors ends in a vector that overlaps the one before it, and the
/// lanes already counted are masked out of its sums.
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
        if (o.Length != z.Length) ThrowHelper.ThrowLengthMismatch(nameof(o), z.Length, o.Length);
        int n = z.Length;
        if (n == 0) return float.NegativeInfinity; // log of an empty sum
        ref float zr = ref MemoryMarshal.GetReference(z);
        ref float or = ref MemoryMarshal.GetReference(o);
        if (n >= 16 && Simd.VectorBits >= 512) return Forward<Vector512<float>, Vector512Math>(ref zr, ref or, (nuint)n);
        if (n >= 8 && Simd.VectorBits >= 256) return Forward<Vector256<float>, Vector256Math>(ref zr, ref or, (nuint)n);
        if (n >= 4) return Forward<Vector128<float>, Vector128Math>(ref zr, ref or, (nuint)n);
        return Forward<float, ScalarMath>(ref zr, ref or, (nuint)n);
    }

    /// <summary>
    /// Back through the softmax: <c>d_k = o_k·(g_k − Σ_j g_j·o_j)</c>, from the gradient <c>g = ∂L/∂o</c> to
    /// <c>d = ∂L/∂z</c>. <paramref name="d"/> may be <paramref name="g"/> itself.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> o, ReadOnlySpan<float> g, Span<float> d)
    {
        if (g.Length != o.Length) ThrowHelper.ThrowLengthMismatch(nameof(g), o.Length, g.Length);
        if (d.Length != o.Length) ThrowHelper.ThrowLengthMismatch(nameof(d), o.Length, d.Length);
        int n = o.Length;
        if (n == 0) return;
        ref float orf = ref MemoryMarshal.GetReference(o);
        ref float gr = ref MemoryMarshal.GetReference(g);
        ref float dr = ref MemoryMarshal.GetReference(d);
        if (n >= 16 && Simd.VectorBits >= 512) Backward<Vector512<float>, Vector512Math>(ref orf, ref gr, ref dr, (nuint)n);
        else if (n >= 8 && Simd.VectorBits >= 256) Backward<Vector256<float>, Vector256Math>(ref orf, ref gr, ref dr, (nuint)n);
        else if (n >= 4) Backward<Vector128<float>, Vector128Math>(ref orf, ref gr, ref dr, (nuint)n);
        else Backward<float, ScalarMath>(ref orf, ref gr, ref dr, (nuint)n);
    }

    // n ≥ M.Count. The last vector starts at n − Count and overlaps the vector before it (by nothing when n is a whole
    // number of vectors): harmless for the max, masked out of the sum (WithoutRepeated); its outputs come from registers,
    // stored after the loop's, so the overlapped lanes get the same values twice.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Forward<T, M>(ref float z, ref float o, nuint n) where T : struct where M : IVectorMath<T>
    {
        nuint width = (nuint)M.Count, last = n - width;
        // m = max z
        T maxes = M.Load(ref z, last);
        for (nuint i = 0; i < last; i += width) maxes = M.Max(maxes, M.Load(ref z, i));
        float max = M.Max(maxes);
        T shift = M.Create(max);
        // e_k = e^(z_k − m), s = Σ e_k
        T eLast = M.Exp(M.Subtract(M.Load(ref z, last), shift));
        T sums = WithoutRepeated<T, M>(eLast, n);
        for (nuint i = 0; i < last; i += width)
        {
            T e = M.Exp(M.Subtract(M.Load(ref z, i), shift));
            M.Store(e, ref o, i);
            sums = M.Add(sums, e);
        }
        float sum = M.Sum(sums);
        // o_k = e_k / s
        T scale = M.Create(1f / sum);
        for (nuint i = 0; i < last; i += width) M.Store(M.Multiply(M.Load(ref o, i), scale), ref o, i);
        M.Store(M.Multiply(eLast, scale), ref o, last);
        return max + MathF.Log(sum);
    }

    // As Forward: Σ g·o with the repeated lanes masked out, then d = o·(g − Σ g·o), the last vector computed first, from
    // g before the loop overwrites it where d is g.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Backward<T, M>(ref float o, ref float g, ref float d, nuint n) where T : struct where M : IVectorMath<T>
    {
        nuint width = (nuint)M.Count, last = n - width;
        T oLast = M.Load(ref o, last), gLast = M.Load(ref g, last);
        T dots = WithoutRepeated<T, M>(M.Multiply(gLast, oLast), n);
        for (nuint i = 0; i < last; i += width) dots = M.MultiplyAdd(M.Load(ref g, i), M.Load(ref o, i), dots);
        T dot = M.Create(M.Sum(dots));
        T dLast = M.Multiply(oLast, M.Subtract(gLast, dot));
        for (nuint i = 0; i < last; i += width) M.Store(M.Multiply(M.Load(ref o, i), M.Subtract(M.Load(ref g, i), dot)), ref d, i);
        M.Store(dLast, ref d, last);
    }

    // The last vector's values (from n − Count) with 0 in the lanes that the whole vectors before it already hold.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T WithoutRepeated<T, M>(T last, nuint n) where T : struct where M : IVectorMath<T>
    {
        nuint width = (nuint)M.Count, repeated = n % width == 0 ? 0 : width - n % width;
        return M.Select(M.LessThan(M.Indices, M.Create(repeated)), M.Create(0f), last);
    }
}
