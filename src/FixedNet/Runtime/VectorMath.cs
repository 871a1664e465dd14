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

    /// <summary>
    /// The sums of sixteen 512-bit vectors, lane j = Σ sj, by a transpose-add tree on AVX-512: halves (s_j with
    /// s_{j+4}), quarters, pairs, lanes; 30 shuffles and 15 adds, where four <see cref="Sum4(Vector512{float},
    /// Vector512{float}, Vector512{float}, Vector512{float})"/> and their concatenation take 47 shuffles, all on the one
    /// shuffle port. Each sum adds lane i to lane i + 8, then i + 4, i + 2, i + 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sum16(
        Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3,
        Vector512<float> s4, Vector512<float> s5, Vector512<float> s6, Vector512<float> s7,
        Vector512<float> s8, Vector512<float> s9, Vector512<float> s10, Vector512<float> s11,
        Vector512<float> s12, Vector512<float> s13, Vector512<float> s14, Vector512<float> s15)
    {
        // [row j | row j+4], 8 partial sums each
        Vector512<float> t0 = Halves(s0, s4), t1 = Halves(s1, s5), t2 = Halves(s2, s6), t3 = Halves(s3, s7);
        Vector512<float> t8 = Halves(s8, s12), t9 = Halves(s9, s13), t10 = Halves(s10, s14), t11 = Halves(s11, s15);
        // [row j | row j+4 | row j+8 | row j+12], 4 partial sums each: then as the pairs of rows in QuartersToSums
        return QuartersToSums(Quarters(t0, t8), Quarters(t1, t9), Quarters(t2, t10), Quarters(t3, t11));
    }

    /// <summary>
    /// The sums of 8 lanes for 16 rows held two to a vector (rows 2m and 2m + 1 in <c>v_m</c>: a dense layer of 8 inputs
    /// against <c>[x, x]</c>), in row order: 15 shuffles and 7 adds on AVX-512.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SumPairs8(
        Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3,
        Vector512<float> v4, Vector512<float> v5, Vector512<float> v6, Vector512<float> v7)
    {
        // [rows 2a, 2a+1, 2b, 2b+1], 4 partial sums each; the sums then come out as lanes 0-3 rows 0, 2, 4, 6; 4-7
        // rows 1, 3, 5, 7; 8-11 rows 8, 10, 12, 14; 12-15 rows 9, 11, 13, 15, and one permute puts them in order.
        Vector512<float> sums = QuartersToSums(Quarters(v0, v4), Quarters(v1, v5), Quarters(v2, v6), Quarters(v3, v7));
        return Avx512F.PermuteVar16x32(sums, Vector512.Create(0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15));
    }

    // [a.lo + a.hi | b.lo + b.hi] (256-bit halves)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Halves(Vector512<float> a, Vector512<float> b) =>
        Avx512F.InsertVector256(a, b.GetLower(), 1) + Avx512F.Shuffle4x128(a, b, 0b11_10_11_10);

    // 128-bit blocks [a0 + a1, a2 + a3, b0 + b1, b2 + b3]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Quarters(Vector512<float> a, Vector512<float> b) =>
        Avx512F.Shuffle4x128(a, b, 0b10_00_10_00) + Avx512F.Shuffle4x128(a, b, 0b11_01_11_01);

    // Four vectors of four rows (one per 128-bit block, 4 partial sums each) to one vector whose block k holds the
    // sums of block k of u0, u1, u2, u3: pairs of lanes, then lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> QuartersToSums(Vector512<float> u0, Vector512<float> u1, Vector512<float> u2, Vector512<float> u3)
    {
        Vector512<float> v0 = Avx512F.Shuffle(u0, u1, 0b01_00_01_00) + Avx512F.Shuffle(u0, u1, 0b11_10_11_10);
        Vector512<float> v1 = Avx512F.Shuffle(u2, u3, 0b01_00_01_00) + Avx512F.Shuffle(u2, u3, 0b11_10_11_10);
        return Avx512F.Shuffle(v0, v1, 0b10_00_10_00) + Avx512F.Shuffle(v0, v1, 0b11_01_11_01);
    }

    private static float Pairwise(Vector128<float> v) => (v[0] + v[1]) + (v[2] + v[3]);

    private static float Pairwise(Vector256<float> v) =>
        ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
}
