using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FixedNet.Runtime;

/// <summary>Horizontal sums for the dense kernels (<see cref="Kernels.Dense"/>), through <see cref="Operators.IVectorMath{T}.Sum4"/>.</summary>
internal static class VectorMath
{
    /// <summary>
    /// The sums of four vectors at once, <c>[Σa, Σb, Σc, Σd]</c>: three horizontal adds and one add on AVX instead
    /// of four separate reductions. Each sum adds its lanes pairwise, ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        if (Avx.IsSupported)
        {
            // [a01 a23 b01 b23 | a45 a67 b45 b67], then [a0123 b0123 c0123 d0123 | a4567 b4567 c4567 d4567]
            var abcd = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
            return abcd.GetLower() + abcd.GetUpper();
        }
        return Vector128.Create(Pairwise(a), Pairwise(b), Pairwise(c), Pairwise(d));
    }

    /// <summary>The sums of four 128-bit vectors, each added pairwise, ((a0 + a1) + (a2 + a3)): two horizontal adds on SSE3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
    {
        // [a01 a23 b01 b23], [c01 c23 d01 d23], then [a0123 b0123 c0123 d0123]
        if (Sse3.IsSupported) return Sse3.HorizontalAdd(Sse3.HorizontalAdd(a, b), Sse3.HorizontalAdd(c, d));
        return Vector128.Create(Pairwise(a), Pairwise(b), Pairwise(c), Pairwise(d));
    }

    /// <summary>The sums of four 512-bit vectors: their two halves are added first, then as <see cref="Sum4(Vector256{float}, Vector256{float}, Vector256{float}, Vector256{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d) =>
        Sum4(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());

    private static float Pairwise(Vector128<float> v) => (v[0] + v[1]) + (v[2] + v[3]);

    private static float Pairwise(Vector256<float> v) =>
        ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}
