using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FixedNet.Runtime;

namespace FixedNet.Operators;

/// <summary>
/// Inverted dropout, as <c>torch.nn.Dropout</c> (https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html): in
/// training each unit of a layer's output is zeroed with probability p and the others are scaled by 1/(1 − p), so the
/// expected output is unchanged; at inference the layer is the identity. <c>[Dropout(p)]</c> after a <c>[Dense]</c> layer
/// makes generated networks call this in <c>Backward</c>, <c>TrainStep</c>, <c>BackwardBatch</c> and <c>TrainBatch</c>;
/// <see cref="ReferenceNetwork"/> calls it too.
/// <para>
/// The masks come from a counter, not a stream: sample number c (the network's <see cref="INetwork.DropoutState"/> plus
/// the sample's index in the call) keeps unit u of layer l when <c>hash32(u·φ + key(c, l)) ≥ p·2³²</c>, with
/// <c>key</c> SplitMix64's finalizer and <c>hash32</c> the "lowbias32" integer hash. So a sample's masks depend only on
/// its position: the same seed and data give the same masks whichever way a batch is split into chunks or shards, and
/// each vector of units draws its mask in a few integer instructions.
/// </para>
/// </summary>
public static class Dropout
{
    private const ulong Golden64 = 0x9E3779B97F4A7C15UL;
    internal const uint Golden32 = 0x9E3779B9u;

    /// <summary>The dropout state that <c>InitializeParameters(seed)</c> starts the masks from (and the default seed, at construction).</summary>
    public static ulong InitialState(int seed) => Mix64(unchecked((ulong)(long)seed * Golden64 + 0x632BE59BD9B4E019UL));

    /// <summary>The key of the masks of layer <paramref name="layer"/> for the sample at counter position <paramref name="state"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Key(ulong state, int layer)
    {
        ulong k = Mix64(unchecked(state + (ulong)(layer + 1) * 0xD1B54A32D192ED03UL));
        return (uint)(k ^ (k >> 32));
    }

    /// <summary>Units whose hash is at least this are kept: the probability of a drop is <c>threshold / 2³²</c>, p rounded to a multiple of 2⁻³².</summary>
    public static uint Threshold(float p) => p <= 0f ? 0u : (uint)Math.Min(Math.Round(p * 4294967296.0), uint.MaxValue);

    /// <summary>The factor of a kept unit, <c>1 / (1 − p)</c> in float, as PyTorch computes it.</summary>
    public static float Scale(float p) => 1f / (1f - p);

    /// <summary>Whether unit <paramref name="unit"/> is kept under <paramref name="key"/>: the scalar definition the vector loops follow lane for lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Keeps(uint key, int unit, uint threshold) => Hash32(unchecked((uint)unit * Golden32 + key)) >= threshold;

    /// <summary>
    /// For <paramref name="rows"/> samples of <paramref name="size"/> units (row r is the sample at counter position
    /// <paramref name="state"/> + r): <c>mask = keep ? 1/(1 − p) : 0</c> and <c>kept = a·mask</c>. <paramref name="kept"/>
    /// and <paramref name="mask"/> must not overlap <paramref name="a"/>; <paramref name="a"/> is not changed (the
    /// activation's derivative reads it).
    /// </summary>
    public static void Apply(ref float a, ref float kept, ref float mask, int rows, int size, float p, ulong state, int layer)
    {
        uint threshold = Threshold(p);
        float scale = Scale(p);
        for (int r = 0; r < rows; r++)
        {
            nuint offset = (nuint)(r * size);
            ApplyRow(ref Unsafe.Add(ref a, offset), ref Unsafe.Add(ref kept, offset), ref Unsafe.Add(ref mask, offset), (uint)size, threshold, scale,
                Key(unchecked(state + (ulong)r), layer));
        }
    }

    /// <summary><c>d[i] ·= mask[i]</c> for <c>i &lt; n</c>: a delta ∂L/∂(kept) taken back through the dropout to ∂L/∂a.</summary>
    public static void Multiply(ref float mask, ref float d, int n)
    {
        nuint count = (nuint)n;
        if (n >= 16 && Simd.VectorBits >= 512) Multiply<Vector512<float>, Vector512Math>(ref mask, ref d, count);
        else if (n >= 8 && Simd.VectorBits >= 256) Multiply<Vector256<float>, Vector256Math>(ref mask, ref d, count);
        else if (n >= 4) Multiply<Vector128<float>, Vector128Math>(ref mask, ref d, count);
        else for (nuint i = 0; i < count; i++) Unsafe.Add(ref d, i) *= Unsafe.Add(ref mask, i);
    }

    // The last vector is computed first, from values not yet overwritten, and stored last, as Activations' loops do.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Multiply<T, M>(ref float mask, ref float d, nuint n) where T : struct where M : IVectorMath<T>
    {
        nuint width = (nuint)M.Count, end = n - width;
        T last = M.Multiply(M.Load(ref d, end), M.Load(ref mask, end));
        for (nuint i = 0; i < end; i += width) M.Store(M.Multiply(M.Load(ref d, i), M.Load(ref mask, i)), ref d, i);
        M.Store(last, ref d, end);
    }

    // One sample's row, at the widest width that fits it; the last vector overlaps the one before (it writes the same
    // values again: the outputs are separate from a), so no scalar remainder runs.
    private static void ApplyRow(ref float a, ref float kept, ref float mask, uint n, uint threshold, float scale, uint key)
    {
        if (n >= 16 && Simd.VectorBits >= 512) Row<Vector512<float>, Vector512Math>(ref a, ref kept, ref mask, n, threshold, scale, key);
        else if (n >= 8 && Simd.VectorBits >= 256) Row<Vector256<float>, Vector256Math>(ref a, ref kept, ref mask, n, threshold, scale, key);
        else if (n >= 4) Row<Vector128<float>, Vector128Math>(ref a, ref kept, ref mask, n, threshold, scale, key);
        else Row<float, ScalarMath>(ref a, ref kept, ref mask, n, threshold, scale, key);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<T, M>(ref float a, ref float kept, ref float mask, uint n, uint threshold, float scale, uint key) where T : struct where M : IVectorMath<T>
    {
        uint width = (uint)M.Count;
        for (uint i = 0; ; i += width)
        {
            uint u = Math.Min(i, n - width);
            T m = M.DropoutMask(u, key, threshold, scale);
            M.Store(m, ref mask, u);
            M.Store(M.Multiply(M.Load(ref a, u), m), ref kept, u);
            if (u == n - width) return;
        }
    }

    // SplitMix64's finalizer (Steele, Lea and Flood 2014): a bijection of 64 bits with full avalanche.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix64(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    // "lowbias32" (Chris Wellons' hash prospector): a bijection of 32 bits, two multiplies and three shifts, written
    // once for each width (IVectorMath.DropoutMask calls them); the vector ones compute it lane by lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Hash32(uint x)
    {
        x = unchecked((x ^ (x >> 16)) * 0x21F0AAADu);
        x = unchecked((x ^ (x >> 15)) * 0x735A2D97u);
        return x ^ (x >> 15);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<uint> Hash32(Vector512<uint> x)
    {
        x = (x ^ Vector512.ShiftRightLogical(x, 16)) * 0x21F0AAADu;
        x = (x ^ Vector512.ShiftRightLogical(x, 15)) * 0x735A2D97u;
        return x ^ Vector512.ShiftRightLogical(x, 15);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<uint> Hash32(Vector256<uint> x)
    {
        x = (x ^ Vector256.ShiftRightLogical(x, 16)) * 0x21F0AAADu;
        x = (x ^ Vector256.ShiftRightLogical(x, 15)) * 0x735A2D97u;
        return x ^ Vector256.ShiftRightLogical(x, 15);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> Hash32(Vector128<uint> x)
    {
        x = (x ^ Vector128.ShiftRightLogical(x, 16)) * 0x21F0AAADu;
        x = (x ^ Vector128.ShiftRightLogical(x, 15)) * 0x735A2D97u;
        return x ^ Vector128.ShiftRightLogical(x, 15);
    }
}
