using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using FixedNet.Operators;
using FixedNet.Runtime;

namespace FixedNet.Kernels;

/// <summary>
/// The kernels of dense layers, written once over the vector width (<see cref="IVectorMath{T}"/>) and the layer's shape
/// (<see cref="IDenseShape"/>): generated loop networks call them with one shape struct per distinct layer shape.
/// </summary>
/// <remarks>
/// <para>Parameters follow <c>torch.nn.Linear</c>: <c>w</c> points at W [outputs × inputs], row-major, followed by the
/// bias b [outputs]. Lengths are not checked here: generated code validates them once at its public entry points.</para>
/// <para>Each kernel has two forms. <c>Forward&lt;S&gt;</c> and the others with only the shape picks the width: the
/// widest that <see cref="Simd.VectorBits"/> allows and whose vectors, plus the scalar columns left over, take the
/// fewest steps over the layer's inputs (a 13-input layer runs 3 × 128-bit + 1 column, not 8 + 5). The JIT folds that
/// choice, so it costs nothing per call. <c>Forward&lt;T, M, S&gt;</c> and the others run one width, for tests and for
/// callers that pick it themselves.</para>
/// <para>Sums are taken in the same order at every width the old generated kernels took them; tiles keep 12
/// accumulators at 128 and 256 bits (x64 has 16 vector registers) and 24 at 512 (AVX-512 has 32).</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static partial class Dense
{
    // ---- Width ----

    /// <summary>The vector width, in bits, of the kernels for layers of shape <typeparamref name="S"/>: see the remarks of <see cref="Dense"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int VectorBits<S>() where S : IDenseShape
    {
        int n = S.Inputs;
        int bits = 128, steps = n / 4 + n % 4;
        if (Simd.VectorBits >= 256 && n / 8 + n % 8 <= steps) (bits, steps) = (256, n / 8 + n % 8);
        if (Simd.VectorBits >= 512 && n / 16 + n % 16 <= steps) bits = 512;
        return bits;
    }

    /// <summary><c>y = W·x + b</c> for one sample, at the width <see cref="VectorBits{S}"/> picks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Forward<S>(ref float w, ref float x, ref float y) where S : IDenseShape
    {
        int bits = VectorBits<S>();
        if (S.Inputs == 8 && S.Outputs % 16 == 0 && Simd.VectorBits >= 512 && Avx512F.IsSupported) ForwardPairs512<S>(ref w, ref x, ref y);
        else if (bits == 512) Forward<Vector512<float>, Vector512Math, S>(ref w, ref x, ref y);
        else if (bits == 256) Forward<Vector256<float>, Vector256Math, S>(ref w, ref x, ref y);
        else Forward<Vector128<float>, Vector128Math, S>(ref w, ref x, ref y);
    }

    /// <summary><c>m[j, i] += c·d_j·x_i</c> and <c>m_b[j] += c·d_j</c> for one sample, at the width <see cref="VectorBits{S}"/> picks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddOuterProduct<S>(ref float m, float c, ref float d, ref float x, bool skipZeroDeltas) where S : IDenseShape
    {
        int bits = VectorBits<S>();
        if (bits == 512) AddOuterProduct<Vector512<float>, Vector512Math, S>(ref m, c, ref d, ref x, skipZeroDeltas);
        else if (bits == 256) AddOuterProduct<Vector256<float>, Vector256Math, S>(ref m, c, ref d, ref x, skipZeroDeltas);
        else AddOuterProduct<Vector128<float>, Vector128Math, S>(ref m, c, ref d, ref x, skipZeroDeltas);
    }

    /// <summary><c>below = Wᵀ·d</c> for one sample, at the width <see cref="VectorBits{S}"/> picks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backpropagate<S>(ref float w, ref float d, ref float below) where S : IDenseShape
    {
        int bits = VectorBits<S>();
        if (bits == 512) Backpropagate<Vector512<float>, Vector512Math, S>(ref w, ref d, ref below);
        else if (bits == 256) Backpropagate<Vector256<float>, Vector256Math, S>(ref w, ref d, ref below);
        else Backpropagate<Vector128<float>, Vector128Math, S>(ref w, ref d, ref below);
    }

    // ---- One sample ----

    /// <summary>
    /// <c>y_j = Σ_i W[j, i]·x_i + b_j</c>. Where the inputs fill whole vectors, as many rows at a time as a vector
    /// has lanes: their sums come out as one vector of outputs, stored whole, so that the activation and the next layer
    /// read it back without waiting on single-float stores. Then four rows at a time (each load of x feeds four
    /// multiply-adds) and the rows left one by one; the columns past the last whole vector are added one by one.
    /// </summary>
    public static void Forward<T, M, S>(ref float w, ref float x, ref float y) where T : struct where M : IVectorMath<T> where S : IDenseShape
    {
        int inputs = S.Inputs, outputs = S.Outputs, lanes = M.Count, vectorEnd = inputs / lanes * lanes;
        ref float bias = ref Unsafe.Add(ref w, inputs * outputs);
        int j = 0;
        if (vectorEnd == inputs && lanes >= 4)
        {
            for (; j + lanes <= outputs; j += lanes)
            {
                ref float row = ref Unsafe.Add(ref w, j * inputs);
                nuint stride = (nuint)inputs;
                T s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                T s8 = default, s9 = default, s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default;
                for (nuint i = 0; i < (nuint)vectorEnd; i += (nuint)lanes)
                {
                    T xi = M.Load(ref x, i);
                    ref float r = ref Unsafe.Add(ref row, i);
                    s0 = M.MultiplyAdd(M.Load(ref r, 0), xi, s0);
                    s1 = M.MultiplyAdd(M.Load(ref r, stride), xi, s1);
                    s2 = M.MultiplyAdd(M.Load(ref r, 2 * stride), xi, s2);
                    s3 = M.MultiplyAdd(M.Load(ref r, 3 * stride), xi, s3);
                    if (lanes > 4)
                    {
                        s4 = M.MultiplyAdd(M.Load(ref r, 4 * stride), xi, s4);
                        s5 = M.MultiplyAdd(M.Load(ref r, 5 * stride), xi, s5);
                        s6 = M.MultiplyAdd(M.Load(ref r, 6 * stride), xi, s6);
                        s7 = M.MultiplyAdd(M.Load(ref r, 7 * stride), xi, s7);
                    }
                    if (lanes > 8)
                    {
                        s8 = M.MultiplyAdd(M.Load(ref r, 8 * stride), xi, s8);
                        s9 = M.MultiplyAdd(M.Load(ref r, 9 * stride), xi, s9);
                        s10 = M.MultiplyAdd(M.Load(ref r, 10 * stride), xi, s10);
                        s11 = M.MultiplyAdd(M.Load(ref r, 11 * stride), xi, s11);
                        s12 = M.MultiplyAdd(M.Load(ref r, 12 * stride), xi, s12);
                        s13 = M.MultiplyAdd(M.Load(ref r, 13 * stride), xi, s13);
                        s14 = M.MultiplyAdd(M.Load(ref r, 14 * stride), xi, s14);
                        s15 = M.MultiplyAdd(M.Load(ref r, 15 * stride), xi, s15);
                    }
                }
                T sums;
                if (typeof(T) == typeof(Vector512<float>) && Avx512F.IsSupported)
                {
                    sums = Unsafe.BitCast<Vector512<float>, T>(Runtime.VectorMath.Sum16(V512(s0), V512(s1), V512(s2), V512(s3), V512(s4), V512(s5),
                        V512(s6), V512(s7), V512(s8), V512(s9), V512(s10), V512(s11), V512(s12), V512(s13), V512(s14), V512(s15)));
                }
                else
                {
                    sums = M.Concat(M.Sum4(s0, s1, s2, s3), lanes > 4 ? M.Sum4(s4, s5, s6, s7) : default,
                        lanes > 8 ? M.Sum4(s8, s9, s10, s11) : default, lanes > 8 ? M.Sum4(s12, s13, s14, s15) : default);
                }
                M.Store(M.Add(sums, M.Load(ref bias, (nuint)j)), ref y, (nuint)j);
            }
        }
        for (; j + 4 <= outputs; j += 4)
        {
            ref float row = ref Unsafe.Add(ref w, j * inputs);
            float y0 = 0f, y1 = 0f, y2 = 0f, y3 = 0f;
            if (vectorEnd > 0)
            {
                T s0 = default, s1 = default, s2 = default, s3 = default;
                for (nuint i = 0; i < (nuint)vectorEnd; i += (nuint)M.Count)
                {
                    T xi = M.Load(ref x, i);
                    s0 = M.MultiplyAdd(M.Load(ref row, i), xi, s0);
                    s1 = M.MultiplyAdd(M.Load(ref row, i + (nuint)inputs), xi, s1);
                    s2 = M.MultiplyAdd(M.Load(ref row, i + (nuint)(2 * inputs)), xi, s2);
                    s3 = M.MultiplyAdd(M.Load(ref row, i + (nuint)(3 * inputs)), xi, s3);
                }
                Vector128<float> sums = M.Sum4(s0, s1, s2, s3);
                (y0, y1, y2, y3) = (sums[0], sums[1], sums[2], sums[3]);
            }
            for (int i = vectorEnd; i < inputs; i++)
            {
                float xs = Unsafe.Add(ref x, i);
                y0 += Unsafe.Add(ref row, i) * xs;
                y1 += Unsafe.Add(ref row, i + inputs) * xs;
                y2 += Unsafe.Add(ref row, i + 2 * inputs) * xs;
                y3 += Unsafe.Add(ref row, i + 3 * inputs) * xs;
            }
            Unsafe.Add(ref y, j) = y0 + Unsafe.Add(ref bias, j);
            Unsafe.Add(ref y, j + 1) = y1 + Unsafe.Add(ref bias, j + 1);
            Unsafe.Add(ref y, j + 2) = y2 + Unsafe.Add(ref bias, j + 2);
            Unsafe.Add(ref y, j + 3) = y3 + Unsafe.Add(ref bias, j + 3);
        }
        for (; j < outputs; j++)
        {
            ref float row = ref Unsafe.Add(ref w, j * inputs);
            T s0 = default;
            for (nuint i = 0; i < (nuint)vectorEnd; i += (nuint)M.Count) s0 = M.MultiplyAdd(M.Load(ref row, i), M.Load(ref x, i), s0);
            StoreDot<T, M, S>(s0, ref x, ref row, ref Unsafe.Add(ref y, j), Unsafe.Add(ref bias, j));
        }
    }

    /// <summary>
    /// <c>y = W·x + b</c> for a layer of 8 inputs at 512 bits: two rows of W fill one vector, so each vector of 16 rows
    /// takes 8 multiplies by <c>[x, x]</c> and one reduction of 8 vectors (<see cref="Runtime.VectorMath.SumPairs8"/>),
    /// and the outputs are stored as one 512-bit vector, which the activation and the next layer read back whole.
    /// </summary>
    public static void ForwardPairs512<S>(ref float w, ref float x, ref float y) where S : IDenseShape
    {
        const int Inputs = 8;
        int outputs = S.Outputs;
        ref float bias = ref Unsafe.Add(ref w, Inputs * outputs);
        Vector256<float> half = Vector256.LoadUnsafe(ref x);
        Vector512<float> xx = Vector512.Create(half, half);
        for (int j = 0; j + 16 <= outputs; j += 16)
        {
            ref float rows = ref Unsafe.Add(ref w, j * Inputs);
            Vector512<float> sums = Runtime.VectorMath.SumPairs8(
                Vector512.LoadUnsafe(ref rows, 0) * xx, Vector512.LoadUnsafe(ref rows, 16) * xx,
                Vector512.LoadUnsafe(ref rows, 32) * xx, Vector512.LoadUnsafe(ref rows, 48) * xx,
                Vector512.LoadUnsafe(ref rows, 64) * xx, Vector512.LoadUnsafe(ref rows, 80) * xx,
                Vector512.LoadUnsafe(ref rows, 96) * xx, Vector512.LoadUnsafe(ref rows, 112) * xx);
            (sums + Vector512.LoadUnsafe(ref bias, (nuint)j)).StoreUnsafe(ref y, (nuint)j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> V512<T>(T value) where T : struct => Unsafe.BitCast<T, Vector512<float>>(value);

    /// <summary>
    /// <c>m[j, i] += c·d_j·x_i</c> and <c>m_b[j] += c·d_j</c>: the gradient δ ⊗ x (<c>c = 1</c>, <c>m</c> the gradient) or
    /// an SGD step (<c>c = −η</c>, <c>m</c> the parameters). With <paramref name="skipZeroDeltas"/>, rows whose
    /// <c>c·d_j</c> is 0 are skipped: they add nothing, and below a ReLU layer that is often half of them.
    /// </summary>
    public static void AddOuterProduct<T, M, S>(ref float m, float c, ref float d, ref float x, bool skipZeroDeltas) where T : struct where M : IVectorMath<T> where S : IDenseShape
    {
        int inputs = S.Inputs, outputs = S.Outputs, vectorEnd = inputs / M.Count * M.Count;
        ref float bias = ref Unsafe.Add(ref m, inputs * outputs);
        for (int j = 0; j < outputs; j++)
        {
            float cd = c * Unsafe.Add(ref d, j);
            if (skipZeroDeltas && cd == 0f) continue;
            ref float row = ref Unsafe.Add(ref m, j * inputs);
            if (vectorEnd > 0)
            {
                T v = M.Create(cd);
                for (nuint i = 0; i < (nuint)vectorEnd; i += (nuint)M.Count) M.Store(M.MultiplyAdd(v, M.Load(ref x, i), M.Load(ref row, i)), ref row, i);
            }
            for (int i = vectorEnd; i < inputs; i++) Unsafe.Add(ref row, i) += cd * Unsafe.Add(ref x, i);
            Unsafe.Add(ref bias, j) += cd;
        }
    }

    /// <summary>
    /// <c>below_i = Σ_j W[j, i]·d_j</c>, the delta of the layer below before its activation's derivative: four vectors of
    /// columns at a time, accumulated in registers over all rows, then one vector (in four chains over the rows), then
    /// single columns.
    /// </summary>
    public static void Backpropagate<T, M, S>(ref float w, ref float d, ref float below) where T : struct where M : IVectorMath<T> where S : IDenseShape
    {
        int inputs = S.Inputs, outputs = S.Outputs, lanes = M.Count, vectorEnd = inputs / lanes * lanes;
        int chunk = 4 * lanes, chunkEnd = inputs / chunk * chunk;
        for (int i = 0; i < chunkEnd; i += chunk)
        {
            T s0 = default, s1 = default, s2 = default, s3 = default;
            for (int j = 0; j < outputs; j++)
            {
                T dj = M.Create(Unsafe.Add(ref d, j));
                ref float row = ref Unsafe.Add(ref w, j * inputs + i);
                s0 = M.MultiplyAdd(M.Load(ref row, 0), dj, s0);
                s1 = M.MultiplyAdd(M.Load(ref row, (nuint)lanes), dj, s1);
                s2 = M.MultiplyAdd(M.Load(ref row, (nuint)(2 * lanes)), dj, s2);
                s3 = M.MultiplyAdd(M.Load(ref row, (nuint)(3 * lanes)), dj, s3);
            }
            M.Store(s0, ref below, (nuint)i);
            M.Store(s1, ref below, (nuint)(i + lanes));
            M.Store(s2, ref below, (nuint)(i + 2 * lanes));
            M.Store(s3, ref below, (nuint)(i + 3 * lanes));
        }
        for (int i = chunkEnd; i < vectorEnd; i += lanes)
        {
            // four chains over the rows, so that a 16-row layer waits on 4 multiply-adds in a row, not 16
            T s0 = default, s1 = default, s2 = default, s3 = default;
            int j = 0;
            for (; j + 4 <= outputs; j += 4)
            {
                ref float row = ref Unsafe.Add(ref w, j * inputs + i);
                s0 = M.MultiplyAdd(M.Load(ref row, 0), M.Create(Unsafe.Add(ref d, j)), s0);
                s1 = M.MultiplyAdd(M.Load(ref row, (nuint)inputs), M.Create(Unsafe.Add(ref d, j + 1)), s1);
                s2 = M.MultiplyAdd(M.Load(ref row, (nuint)(2 * inputs)), M.Create(Unsafe.Add(ref d, j + 2)), s2);
                s3 = M.MultiplyAdd(M.Load(ref row, (nuint)(3 * inputs)), M.Create(Unsafe.Add(ref d, j + 3)), s3);
            }
            for (; j < outputs; j++) s0 = M.MultiplyAdd(M.Load(ref w, (nuint)(j * inputs + i)), M.Create(Unsafe.Add(ref d, j)), s0);
            M.Store(M.Add(M.Add(s0, s1), M.Add(s2, s3)), ref below, (nuint)i);
        }
        for (int i = vectorEnd; i < inputs; i++)
        {
            float s = 0f;
            for (int j = 0; j < outputs; j++) s += Unsafe.Add(ref w, j * inputs + i) * Unsafe.Add(ref d, j);
            Unsafe.Add(ref below, i) = s;
        }
    }
}
