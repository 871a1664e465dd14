using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FixedNet.Operators;
using FixedNet.Runtime;

namespace FixedNet.Kernels;

// Mini-batch kernels: n samples, one row per sample (X [n × inputs], Y and Δ [n × outputs]), as register-tiled matrix
// products: Z = X·Wᵀ (samples × rows of dot products), ∂W = Δᵀ·X (rows × vectors of columns) and Δ_below = Δ·W (samples ×
// vectors of columns). Each tile is written once for its largest size; its sizes are type arguments (ICount), so each
// instantiation keeps exactly its own accumulators in registers and the JIT drops the code of the others. 512-bit
// tiles are twice as large as the 128- and 256-bit ones: AVX-512 has 32 vector registers, SSE and AVX2 16. The
// 512-bit shapes were picked by measuring four candidates on an AVX-512 Xeon (benchmarks/README.md).
public static partial class Dense
{
    // Weight rows per panel of the batch forward pass: about 128 KiB of W, which stays in L2 while every tile of samples
    // uses it. Without panels W is streamed once per tile of samples; a W larger than L2 (784 × 256: 784 KiB) then comes
    // from L3 each time, which measured about 20 % slower on Zen 3.
    private const int PanelBytes = 128 * 1024;

    // Samples per tile of the forward and backward batch kernels: 8 at 512 bits (32 registers), 4 below (16 registers).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TileSamples<T, M>() where T : struct where M : IVectorMath<T> => TileSamples(M.Count * 32);

    // The same for the vector width in bits.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TileSamples(int bits) => bits == 512 ? 8 : 4;

    /// <summary><c>Y[s, j] = Σ_i X[s, i]·W[j, i] + b[j]</c> for <paramref name="n"/> samples, at the width <see cref="VectorBits{S}"/> picks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForwardBatch<S>(ref float w, ref float x, ref float y, int n) where S : IDenseShape
    {
        int bits = VectorBits<S>();
        if (bits == 512) ForwardBatch<Vector512<float>, Vector512Math, S>(ref w, ref x, ref y, n);
        else if (bits == 256) ForwardBatch<Vector256<float>, Vector256Math, S>(ref w, ref x, ref y, n);
        else ForwardBatch<Vector128<float>, Vector128Math, S>(ref w, ref x, ref y, n);
    }

    /// <summary><c>m[j, i] += c·Σ_s Δ[s, j]·X[s, i]</c> and <c>m_b[j] += c·Σ_s Δ[s, j]</c>, at the width <see cref="VectorBits{S}"/> picks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddOuterProductBatch<S>(ref float m, float c, ref float d, ref float x, int n) where S : IDenseShape
    {
        int bits = VectorBits<S>();
        if (bits == 512) AddOuterProductBatch<Vector512<float>, Vector512Math, S>(ref m, c, ref d, ref x, n);
        else if (bits == 256) AddOuterProductBatch<Vector256<float>, Vector256Math, S>(ref m, c, ref d, ref x, n);
        else AddOuterProductBatch<Vector128<float>, Vector128Math, S>(ref m, c, ref d, ref x, n);
    }

    /// <summary><c>Δ_below[s, i] = (Σ_j Δ[s, j]·W[j, i])·f′(z, a)</c> of the layer below, at the width <see cref="VectorBits{S}"/> picks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BackpropagateBatch<S, TActivation>(ref float w, ref float d, ref float below, ref float z, ref float a, int n)
        where S : IDenseShape where TActivation : IActivationOperator
    {
        int bits = VectorBits<S>();
        if (bits == 512) BackpropagateBatch<Vector512<float>, Vector512Math, S, TActivation>(ref w, ref d, ref below, ref z, ref a, n);
        else if (bits == 256) BackpropagateBatch<Vector256<float>, Vector256Math, S, TActivation>(ref w, ref d, ref below, ref z, ref a, n);
        else BackpropagateBatch<Vector128<float>, Vector128Math, S, TActivation>(ref w, ref d, ref below, ref z, ref a, n);
    }

    // ---- Shares: one layer's batch products split between threads ----

    /// <summary>
    /// Share <paramref name="part"/> of <paramref name="parts"/> of <see cref="ForwardBatch{S}"/> and the activation after
    /// it: rows [from, to) of <paramref name="z"/> and <paramref name="a"/> (the same buffer where the activation keeps no z;
    /// nothing is applied for the identity) for all n samples, <see cref="RowShare"/>. The parts together write what the
    /// whole call and <see cref="Activations.Apply{TOp}"/> over the n rows write, with the same bits.
    /// </summary>
    public static void ForwardBatchPart<S, TActivation>(ref float w, ref float x, ref float z, ref float a, int n, int part, int parts)
        where S : IDenseShape where TActivation : IActivationOperator
    {
        var (from, to) = RowShare(S.Outputs, part, parts);
        if (from >= to) return;
        int bits = VectorBits<S>();
        if (bits == 512) ForwardBatch<Vector512<float>, Vector512Math, S>(ref w, ref x, ref z, n, from, to);
        else if (bits == 256) ForwardBatch<Vector256<float>, Vector256Math, S>(ref w, ref x, ref z, n, from, to);
        else ForwardBatch<Vector128<float>, Vector128Math, S>(ref w, ref x, ref z, n, from, to);
        if (typeof(TActivation) == typeof(IdentityOperator)) return;
        int size = S.Outputs;
        if (to - from == size)
        {
            Activations.Apply<TActivation>(ref z, ref a, n * size);
            return;
        }
        // row by row; each piece is at least 16 long, so it runs the vector formula, as the call over all n rows does
        for (int s = 0; s < n; s++) Activations.Apply<TActivation>(ref Unsafe.Add(ref z, s * size + from), ref Unsafe.Add(ref a, s * size + from), to - from);
    }

    /// <summary>
    /// Share <paramref name="part"/> of <paramref name="parts"/> of <see cref="AddOuterProductBatch{S}"/>: the columns of
    /// its share of the whole vectors of m's rows, and for the last part also the columns past them and the biases. The
    /// parts together add what the whole call adds, with the same bits.
    /// </summary>
    public static void AddOuterProductBatchPart<S>(ref float m, float c, ref float d, ref float x, int n, int part, int parts) where S : IDenseShape
    {
        int bits = VectorBits<S>();
        if (bits == 512) OuterPart<Vector512<float>, Vector512Math, S>(ref m, c, ref d, ref x, n, part, parts);
        else if (bits == 256) OuterPart<Vector256<float>, Vector256Math, S>(ref m, c, ref d, ref x, n, part, parts);
        else OuterPart<Vector128<float>, Vector128Math, S>(ref m, c, ref d, ref x, n, part, parts);
    }

    /// <summary>
    /// Share <paramref name="part"/> of <paramref name="parts"/> of <see cref="AddOuterProductBatch{S}"/> by rows: the rows
    /// [from, to) of m and their biases that <see cref="RowShare"/> gives the part, which are the rows of Z that
    /// <see cref="ForwardBatchPart{S, TActivation}"/> gives it, so each thread writes the rows it reads next. The parts
    /// together add what the whole call adds, with the same bits.
    /// </summary>
    public static void AddOuterProductBatchRowsPart<S>(ref float m, float c, ref float d, ref float x, int n, int part, int parts) where S : IDenseShape
    {
        var (from, to) = RowShare(S.Outputs, part, parts);
        if (from >= to) return;
        int bits = VectorBits<S>();
        if (bits == 512) AddOuterProductBatch<Vector512<float>, Vector512Math, S>(ref m, c, ref d, ref x, n, 0, S.Inputs / 16, true, from, to);
        else if (bits == 256) AddOuterProductBatch<Vector256<float>, Vector256Math, S>(ref m, c, ref d, ref x, n, 0, S.Inputs / 8, true, from, to);
        else AddOuterProductBatch<Vector128<float>, Vector128Math, S>(ref m, c, ref d, ref x, n, 0, S.Inputs / 4, true, from, to);
    }

    /// <summary>
    /// Share <paramref name="part"/> of <paramref name="parts"/> of <see cref="BackpropagateBatch{S, TActivation}"/>: the
    /// columns of Δ_below in its share of the whole vectors of a row, and for the last part also the columns past them.
    /// The parts together write what the whole call writes, with the same bits.
    /// </summary>
    public static void BackpropagateBatchPart<S, TActivation>(ref float w, ref float d, ref float below, ref float z, ref float a, int n, int part, int parts)
        where S : IDenseShape where TActivation : IActivationOperator
    {
        int bits = VectorBits<S>();
        if (bits == 512) BackPart<Vector512<float>, Vector512Math, S, TActivation>(ref w, ref d, ref below, ref z, ref a, n, part, parts);
        else if (bits == 256) BackPart<Vector256<float>, Vector256Math, S, TActivation>(ref w, ref d, ref below, ref z, ref a, n, part, parts);
        else BackPart<Vector128<float>, Vector128Math, S, TActivation>(ref w, ref d, ref below, ref z, ref a, n, part, parts);
    }

    /// <summary>
    /// Share <paramref name="part"/> of <paramref name="parts"/> of <see cref="ForwardBatch{S}"/> by samples: every row of
    /// <paramref name="y"/> for the samples <see cref="SampleShare{S}"/> gives the part, with no activation (for an output
    /// layer, whose activation goes with the loss). Each part's samples are whole tiles of the kernel, so the parts together
    /// write what the whole call writes, with the same bits.
    /// </summary>
    public static void ForwardBatchSamplesPart<S>(ref float w, ref float x, ref float y, int n, int part, int parts) where S : IDenseShape
    {
        var (from, to) = SampleShare<S>(n, part, parts);
        if (from < to) ForwardBatch<S>(ref w, ref Unsafe.Add(ref x, from * S.Inputs), ref Unsafe.Add(ref y, from * S.Outputs), to - from);
    }

    /// <summary>
    /// The samples [from, to) of <paramref name="n"/> that share <paramref name="part"/> of <paramref name="parts"/> takes
    /// in <see cref="ForwardBatchSamplesPart{S}"/>: equal runs of whole tiles of the batch kernels (8 samples at 512 bits,
    /// else 4), the samples past the last whole tile going to the last part.
    /// </summary>
    public static (int From, int To) SampleShare<S>(int n, int part, int parts) where S : IDenseShape
    {
        int tile = TileSamples(VectorBits<S>()), tiles = n / tile;
        return (tile * (tiles * part / parts), part == parts - 1 ? n : tile * (tiles * (part + 1) / parts));
    }

    /// <summary>
    /// The rows [from, to) of a layer of <paramref name="outputs"/> that <see cref="ForwardBatchPart{S, TActivation}"/>'s
    /// share <paramref name="part"/> of <paramref name="parts"/> computes: equal runs of at least 16 rows, so a layer of
    /// fewer than 32 is not split (the shares past the last run are empty).
    /// </summary>
    public static (int From, int To) RowShare(int outputs, int part, int parts)
    {
        int runs = Math.Clamp(outputs / 16, 1, parts);
        return part >= runs ? (outputs, outputs) : (outputs * part / runs, outputs * (part + 1) / runs);
    }

    private static void OuterPart<T, M, S>(ref float m, float c, ref float d, ref float x, int n, int part, int parts) where T : struct where M : IVectorMath<T> where S : IDenseShape
    {
        int vectors = S.Inputs / M.Count;
        AddOuterProductBatch<T, M, S>(ref m, c, ref d, ref x, n, vectors * part / parts, vectors * (part + 1) / parts, part == parts - 1, 0, S.Outputs);
    }

    private static void BackPart<T, M, S, TActivation>(ref float w, ref float d, ref float below, ref float z, ref float a, int n, int part, int parts)
        where T : struct where M : IVectorMath<T> where S : IDenseShape where TActivation : IActivationOperator
    {
        int vectors = S.Inputs / M.Count;
        BackpropagateBatch<T, M, S, TActivation>(ref w, ref d, ref below, ref z, ref a, n, vectors * part / parts, vectors * (part + 1) / parts, tail: part == parts - 1);
    }

    // ---- Z = X·Wᵀ + b ----

    /// <summary>
    /// <c>Y[s, j] = Σ_i X[s, i]·W[j, i] + b[j]</c> for <paramref name="n"/> samples, in tiles of 4 samples (8 at 512 bits)
    /// × 3 rows: each load feeds 3 or 4 (8) multiply-adds. Rows of W go in panels of about 128 KiB, each of which stays in
    /// cache while all n samples go through it.
    /// </summary>
    public static void ForwardBatch<T, M, S>(ref float w, ref float x, ref float y, int n) where T : struct where M : IVectorMath<T> where S : IDenseShape =>
        ForwardBatch<T, M, S>(ref w, ref x, ref y, n, 0, S.Outputs);

    // Rows [from, to) of Y: three at a time, in panels, then one by one. Each row's sums are the same whichever tile holds
    // it, so any split of the rows gives the same bits.
    private static void ForwardBatch<T, M, S>(ref float w, ref float x, ref float y, int n, int from, int to) where T : struct where M : IVectorMath<T> where S : IDenseShape
    {
        int rowsBlocked = from + (to - from) / 3 * 3;
        int panelRows = Math.Max(1, PanelBytes / (S.Inputs * sizeof(float)) / 3) * 3;
        if (rowsBlocked - from > panelRows)
        {
            for (int p = from; p < rowsBlocked; p += panelRows) ForwardRows<T, M, S, Three>(ref w, ref x, ref y, n, p, Math.Min(p + panelRows, rowsBlocked));
        }
        else
        {
            ForwardRows<T, M, S, Three>(ref w, ref x, ref y, n, from, rowsBlocked);
        }
        ForwardRows<T, M, S, One>(ref w, ref x, ref y, n, rowsBlocked, to);
    }

    // Rows [from, to), TRows at a time, for all n samples: a tile of samples at a time (8 at 512 bits, else 4), then one by one.
    // (Empty ranges make no call: on small layers the calls are a good part of the time.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardRows<T, M, S, TRows>(ref float w, ref float x, ref float y, int n, int from, int to)
        where T : struct where M : IVectorMath<T> where S : IDenseShape where TRows : ICount
    {
        if (from >= to) return;
        int samples = TileSamples<T, M>(), blocked = n / samples * samples;
        if (blocked > 0)
        {
            if (M.Count == 16) ForwardTiles<T, M, S, Eight, TRows>(ref w, ref x, ref y, 0, blocked, from, to);
            else ForwardTiles<T, M, S, Four, TRows>(ref w, ref x, ref y, 0, blocked, from, to);
        }
        if (blocked < n) ForwardTiles<T, M, S, One, TRows>(ref w, ref x, ref y, blocked, n, from, to);
    }

    // Y[s + q, j + r] for samples [sFrom, sTo), TSamples (1, 4 or 8) at a time, and rows [from, to), TRows (1 or 3) at a
    // time. The loops over the tiles are in here, not in the caller: a method with this many locals is not inlined, so
    // each call does all its tiles.
    private static void ForwardTiles<T, M, S, TSamples, TRows>(ref float w, ref float x, ref float y, int sFrom, int sTo, int from, int to)
        where T : struct where M : IVectorMath<T> where S : IDenseShape where TSamples : ICount where TRows : ICount
    {
        int inputs = S.Inputs, samples = TSamples.Value, rows = TRows.Value;
        nuint vectorEnd = (nuint)(inputs / M.Count * M.Count), stride = (nuint)inputs;
        for (int sample = sFrom; sample < sTo; sample += samples)
        for (int j = from; j < to; j += rows)
        {
            ref float xs = ref Unsafe.Add(ref x, sample * inputs);
            ref float ys = ref Unsafe.Add(ref y, sample * S.Outputs);
            ref float row = ref Unsafe.Add(ref w, j * inputs);
            T a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
            T a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
            T a40 = default, a41 = default, a42 = default, a50 = default, a51 = default, a52 = default;
            T a60 = default, a61 = default, a62 = default, a70 = default, a71 = default, a72 = default;
            for (nuint i = 0; i < vectorEnd; i += (nuint)M.Count)
            {
                T w0 = M.Load(ref row, i), w1 = default, w2 = default;
                if (rows > 1) { w1 = M.Load(ref row, i + stride); w2 = M.Load(ref row, i + 2 * stride); }
                T xv = M.Load(ref xs, i);
                a00 = M.MultiplyAdd(xv, w0, a00);
                if (rows > 1) { a01 = M.MultiplyAdd(xv, w1, a01); a02 = M.MultiplyAdd(xv, w2, a02); }
                if (samples > 1)
                {
                    xv = M.Load(ref xs, i + stride);
                    a10 = M.MultiplyAdd(xv, w0, a10);
                    if (rows > 1) { a11 = M.MultiplyAdd(xv, w1, a11); a12 = M.MultiplyAdd(xv, w2, a12); }
                    xv = M.Load(ref xs, i + 2 * stride);
                    a20 = M.MultiplyAdd(xv, w0, a20);
                    if (rows > 1) { a21 = M.MultiplyAdd(xv, w1, a21); a22 = M.MultiplyAdd(xv, w2, a22); }
                    xv = M.Load(ref xs, i + 3 * stride);
                    a30 = M.MultiplyAdd(xv, w0, a30);
                    if (rows > 1) { a31 = M.MultiplyAdd(xv, w1, a31); a32 = M.MultiplyAdd(xv, w2, a32); }
                }
                if (samples > 4)
                {
                    xv = M.Load(ref xs, i + 4 * stride);
                    a40 = M.MultiplyAdd(xv, w0, a40);
                    if (rows > 1) { a41 = M.MultiplyAdd(xv, w1, a41); a42 = M.MultiplyAdd(xv, w2, a42); }
                    xv = M.Load(ref xs, i + 5 * stride);
                    a50 = M.MultiplyAdd(xv, w0, a50);
                    if (rows > 1) { a51 = M.MultiplyAdd(xv, w1, a51); a52 = M.MultiplyAdd(xv, w2, a52); }
                    xv = M.Load(ref xs, i + 6 * stride);
                    a60 = M.MultiplyAdd(xv, w0, a60);
                    if (rows > 1) { a61 = M.MultiplyAdd(xv, w1, a61); a62 = M.MultiplyAdd(xv, w2, a62); }
                    xv = M.Load(ref xs, i + 7 * stride);
                    a70 = M.MultiplyAdd(xv, w0, a70);
                    if (rows > 1) { a71 = M.MultiplyAdd(xv, w1, a71); a72 = M.MultiplyAdd(xv, w2, a72); }
                }
            }
            // Row by row: the sums of four samples' accumulators in one reduction, the columns past the vectors, the bias.
            ref float bias = ref Unsafe.Add(ref w, inputs * S.Outputs + j);
            if (samples == 1)
            {
                StoreDot<T, M, S>(a00, ref xs, ref row, ref Unsafe.Add(ref ys, j), bias);
                if (rows > 1)
                {
                    StoreDot<T, M, S>(a01, ref xs, ref Unsafe.Add(ref row, inputs), ref Unsafe.Add(ref ys, j + 1), Unsafe.Add(ref bias, 1));
                    StoreDot<T, M, S>(a02, ref xs, ref Unsafe.Add(ref row, 2 * inputs), ref Unsafe.Add(ref ys, j + 2), Unsafe.Add(ref bias, 2));
                }
                continue;
            }
            int size = S.Outputs;
            StoreDots4<T, M, S>(a00, a10, a20, a30, ref xs, ref row, ref Unsafe.Add(ref ys, j), bias);
            if (samples > 4) StoreDots4<T, M, S>(a40, a50, a60, a70, ref Unsafe.Add(ref xs, 4 * inputs), ref row, ref Unsafe.Add(ref ys, 4 * size + j), bias);
            if (rows > 1)
            {
                StoreDots4<T, M, S>(a01, a11, a21, a31, ref xs, ref Unsafe.Add(ref row, inputs), ref Unsafe.Add(ref ys, j + 1), Unsafe.Add(ref bias, 1));
                if (samples > 4) StoreDots4<T, M, S>(a41, a51, a61, a71, ref Unsafe.Add(ref xs, 4 * inputs), ref Unsafe.Add(ref row, inputs), ref Unsafe.Add(ref ys, 4 * size + j + 1), Unsafe.Add(ref bias, 1));
                StoreDots4<T, M, S>(a02, a12, a22, a32, ref xs, ref Unsafe.Add(ref row, 2 * inputs), ref Unsafe.Add(ref ys, j + 2), Unsafe.Add(ref bias, 2));
                if (samples > 4) StoreDots4<T, M, S>(a42, a52, a62, a72, ref Unsafe.Add(ref xs, 4 * inputs), ref Unsafe.Add(ref row, 2 * inputs), ref Unsafe.Add(ref ys, 4 * size + j + 2), Unsafe.Add(ref bias, 2));
            }
        }
    }

    // y = Σ lanes of a + Σ_{i ≥ vectorEnd} x_i·row_i + bias, for one sample and one row.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDot<T, M, S>(T a, ref float x, ref float row, ref float y, float bias) where T : struct where M : IVectorMath<T> where S : IDenseShape
    {
        int inputs = S.Inputs, vectorEnd = inputs / M.Count * M.Count;
        float sum = vectorEnd > 0 ? M.Sum(a) : 0f;
        for (int i = vectorEnd; i < inputs; i++) sum += Unsafe.Add(ref x, i) * Unsafe.Add(ref row, i);
        y = sum + bias;
    }

    // The same for four consecutive samples (rows of x and y one sample apart) with one shared reduction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDots4<T, M, S>(T a0, T a1, T a2, T a3, ref float x, ref float row, ref float y, float bias)
        where T : struct where M : IVectorMath<T> where S : IDenseShape
    {
        int inputs = S.Inputs, size = S.Outputs, vectorEnd = inputs / M.Count * M.Count;
        Vector128<float> sums = vectorEnd > 0 ? M.Sum4(a0, a1, a2, a3) : Vector128<float>.Zero;
        float y0 = sums[0], y1 = sums[1], y2 = sums[2], y3 = sums[3];
        for (int i = vectorEnd; i < inputs; i++)
        {
            float r = Unsafe.Add(ref row, i);
            y0 += Unsafe.Add(ref x, i) * r;
            y1 += Unsafe.Add(ref x, i + inputs) * r;
            y2 += Unsafe.Add(ref x, i + 2 * inputs) * r;
            y3 += Unsafe.Add(ref x, i + 3 * inputs) * r;
        }
        y = y0 + bias;
        Unsafe.Add(ref y, size) = y1 + bias;
        Unsafe.Add(ref y, 2 * size) = y2 + bias;
        Unsafe.Add(ref y, 3 * size) = y3 + bias;
    }

    // ---- m[j, i] += c·Σ_s Δ[s, j]·X[s, i] (the gradient, or an SGD step with c = −η/m) ----

    /// <summary>
    /// <c>m[j, i] += c·Σ_s Δ[s, j]·X[s, i]</c> and <c>m_b[j] += c·Σ_s Δ[s, j]</c> over <paramref name="n"/> samples
    /// (<c>c = 1/m</c> for the mean gradient, <c>−η/m</c> for an SGD step), in tiles of 4 rows × 3 vectors of columns
    /// (6 at 512 bits). Column strips go outside and rows inside, so a strip of X stays in L1 while every row uses it.
    /// </summary>
    public static void AddOuterProductBatch<T, M, S>(ref float m, float c, ref float d, ref float x, int n) where T : struct where M : IVectorMath<T> where S : IDenseShape =>
        AddOuterProductBatch<T, M, S>(ref m, c, ref d, ref x, n, 0, S.Inputs / M.Count, true, 0, S.Outputs);

    // Columns [v0·lanes, v1·lanes) of rows [r0, r1) of m in strips, then vector by vector; with tailAndBiases, also the
    // columns past the last whole vector and the biases of those rows. Each value's sum runs over the samples in order
    // whichever strip or tile holds it, so any split of the vectors or of the rows gives the same bits.
    private static void AddOuterProductBatch<T, M, S>(ref float m, float c, ref float d, ref float x, int n, int v0, int v1, bool tailAndBiases, int r0, int r1)
        where T : struct where M : IVectorMath<T> where S : IDenseShape
    {
        int inputs = S.Inputs, outputs = S.Outputs, lanes = M.Count, vectorEnd = inputs / lanes * lanes;
        int strip = (M.Count == 16 ? 6 : 3) * lanes, from = v0 * lanes, to = v1 * lanes, columnsBlocked = from + (to - from) / strip * strip;
        T cv = M.Create(c);
        for (int i = from; i < columnsBlocked; i += strip)
        {
            if (M.Count == 16) OuterRows<T, M, S, Six>(ref m, cv, ref d, ref x, n, i, r0, r1);
            else OuterRows<T, M, S, Three>(ref m, cv, ref d, ref x, n, i, r0, r1);
        }
        for (int i = columnsBlocked; i < to; i += lanes) OuterRows<T, M, S, One>(ref m, cv, ref d, ref x, n, i, r0, r1);
        if (!tailAndBiases) return;
        for (int j = r0; j < r1; j++)
        {
            for (int i = vectorEnd; i < inputs; i++)
            {
                float sum = 0f;
                for (int s = 0; s < n; s++) sum += Unsafe.Add(ref d, s * outputs + j) * Unsafe.Add(ref x, s * inputs + i);
                Unsafe.Add(ref m, j * inputs + i) += c * sum;
            }
        }
        // Biases, m_b[j] += c·Σ_s Δ[s, j]: a vector sums `lanes` biases side by side, each still in sample order.
        // (c·sum is rounded before the add in both loops, so a bias comes out the same in either)
        ref float bias = ref Unsafe.Add(ref m, inputs * outputs);
        int biasEnd = r0 + (r1 - r0) / lanes * lanes;
        for (int j = r0; j < biasEnd; j += lanes)
        {
            T sum = default;
            for (int s = 0; s < n; s++) sum = M.Add(sum, M.Load(ref d, (nuint)(s * outputs + j)));
            M.Store(M.Add(M.Load(ref bias, (nuint)j), M.Multiply(cv, sum)), ref bias, (nuint)j);
        }
        for (int j = biasEnd; j < r1; j++)
        {
            float sum = 0f;
            for (int s = 0; s < n; s++) sum += Unsafe.Add(ref d, s * outputs + j);
            Unsafe.Add(ref bias, j) += c * sum;
        }
    }

    // One strip of TVectors vectors of columns from column i: rows [r0, r1), four at a time, then one by one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterRows<T, M, S, TVectors>(ref float m, T cv, ref float d, ref float x, int n, int i, int r0, int r1)
        where T : struct where M : IVectorMath<T> where S : IDenseShape where TVectors : ICount
    {
        int rowsBlocked = r0 + (r1 - r0) / 4 * 4;
        if (rowsBlocked > r0) OuterTiles<T, M, S, Four, TVectors>(ref m, cv, ref d, ref x, n, i, r0, rowsBlocked, prefetchNext: true);
        if (rowsBlocked < r1) OuterTiles<T, M, S, One, TVectors>(ref m, cv, ref d, ref x, n, i, rowsBlocked, r1, prefetchNext: false);
    }

    // m[j + r, i + v·lanes …] for rows j in [from, to), TRows (1 or 4) at a time, and vectors v < TVectors (1, 3 or 6);
    // with prefetchNext, each tile first asks for the next one's block of m.
    private static void OuterTiles<T, M, S, TRows, TVectors>(ref float m, T cv, ref float d, ref float x, int n, int i, int from, int to, bool prefetchNext)
        where T : struct where M : IVectorMath<T> where S : IDenseShape where TRows : ICount where TVectors : ICount
    {
        int inputs = S.Inputs, outputs = S.Outputs, rows = TRows.Value, vectors = TVectors.Value;
        nuint lanes = (nuint)M.Count;
        for (int j = from; j < to; j += rows)
        {
            if (prefetchNext && j + rows < to)
            {
                // The rows are walked with a stride the hardware prefetchers do not follow, and this tile reads and writes its
                // block of m only after its FMAs: ask for the next tile's block now, one prefetch per 64-byte line.
                ref float next = ref Unsafe.Add(ref m, (j + rows) * inputs + i);
                for (int r = 0; r < rows; r++) PrefetchLines<T, M, TVectors>(ref Unsafe.Add(ref next, r * inputs));
            }
            T a00 = default, a01 = default, a02 = default, a03 = default, a04 = default, a05 = default;
            T a10 = default, a11 = default, a12 = default, a13 = default, a14 = default, a15 = default;
            T a20 = default, a21 = default, a22 = default, a23 = default, a24 = default, a25 = default;
            T a30 = default, a31 = default, a32 = default, a33 = default, a34 = default, a35 = default;
            // xo and dof walk X[s, i…] and Δ[s, j…] by adding a row length per sample: no multiply in the loop.
            nuint xo = (nuint)i, dof = (nuint)j;
            for (int s = 0; s < n; s++, xo += (nuint)inputs, dof += (nuint)outputs)
            {
                T x0 = M.Load(ref x, xo), x1 = default, x2 = default, x3 = default, x4 = default, x5 = default;
                if (vectors > 1) { x1 = M.Load(ref x, xo + lanes); x2 = M.Load(ref x, xo + 2 * lanes); }
                if (vectors > 3) { x3 = M.Load(ref x, xo + 3 * lanes); x4 = M.Load(ref x, xo + 4 * lanes); x5 = M.Load(ref x, xo + 5 * lanes); }
                T dv = M.Create(Unsafe.Add(ref d, dof));
                a00 = M.MultiplyAdd(dv, x0, a00);
                if (vectors > 1) { a01 = M.MultiplyAdd(dv, x1, a01); a02 = M.MultiplyAdd(dv, x2, a02); }
                if (vectors > 3) { a03 = M.MultiplyAdd(dv, x3, a03); a04 = M.MultiplyAdd(dv, x4, a04); a05 = M.MultiplyAdd(dv, x5, a05); }
                if (rows > 1)
                {
                    dv = M.Create(Unsafe.Add(ref d, dof + 1));
                    a10 = M.MultiplyAdd(dv, x0, a10);
                    if (vectors > 1) { a11 = M.MultiplyAdd(dv, x1, a11); a12 = M.MultiplyAdd(dv, x2, a12); }
                    if (vectors > 3) { a13 = M.MultiplyAdd(dv, x3, a13); a14 = M.MultiplyAdd(dv, x4, a14); a15 = M.MultiplyAdd(dv, x5, a15); }
                    dv = M.Create(Unsafe.Add(ref d, dof + 2));
                    a20 = M.MultiplyAdd(dv, x0, a20);
                    if (vectors > 1) { a21 = M.MultiplyAdd(dv, x1, a21); a22 = M.MultiplyAdd(dv, x2, a22); }
                    if (vectors > 3) { a23 = M.MultiplyAdd(dv, x3, a23); a24 = M.MultiplyAdd(dv, x4, a24); a25 = M.MultiplyAdd(dv, x5, a25); }
                    dv = M.Create(Unsafe.Add(ref d, dof + 3));
                    a30 = M.MultiplyAdd(dv, x0, a30);
                    if (vectors > 1) { a31 = M.MultiplyAdd(dv, x1, a31); a32 = M.MultiplyAdd(dv, x2, a32); }
                    if (vectors > 3) { a33 = M.MultiplyAdd(dv, x3, a33); a34 = M.MultiplyAdd(dv, x4, a34); a35 = M.MultiplyAdd(dv, x5, a35); }
                }
            }
            // m += c·accumulator, row by row
            ref float mr = ref Unsafe.Add(ref m, j * inputs + i);
            AddScaled<T, M, TVectors>(cv, a00, a01, a02, a03, a04, a05, ref mr);
            if (rows > 1)
            {
                AddScaled<T, M, TVectors>(cv, a10, a11, a12, a13, a14, a15, ref Unsafe.Add(ref mr, inputs));
                AddScaled<T, M, TVectors>(cv, a20, a21, a22, a23, a24, a25, ref Unsafe.Add(ref mr, 2 * inputs));
                AddScaled<T, M, TVectors>(cv, a30, a31, a32, a33, a34, a35, ref Unsafe.Add(ref mr, 3 * inputs));
            }
        }
    }

    // The cache lines of TVectors vectors from `start` (at most 96 floats: six lines, a seventh when not line-aligned).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchLines<T, M, TVectors>(ref float start) where T : struct where M : IVectorMath<T> where TVectors : ICount
    {
        int width = TVectors.Value * M.Count;
        Prefetch.Line(ref start);
        if (width > 16) Prefetch.Line(ref Unsafe.Add(ref start, 16));
        if (width > 32) Prefetch.Line(ref Unsafe.Add(ref start, 32));
        if (width > 48) Prefetch.Line(ref Unsafe.Add(ref start, 48));
        if (width > 64) Prefetch.Line(ref Unsafe.Add(ref start, 64));
        if (width > 80) Prefetch.Line(ref Unsafe.Add(ref start, 80));
        if (width % 16 != 0) Prefetch.Line(ref Unsafe.Add(ref start, width - 1));
    }

    // m[v·lanes …] += c·a_v for v < TVectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled<T, M, TVectors>(T c, T a0, T a1, T a2, T a3, T a4, T a5, ref float m) where T : struct where M : IVectorMath<T> where TVectors : ICount
    {
        nuint lanes = (nuint)M.Count;
        M.Store(M.MultiplyAdd(c, a0, M.Load(ref m, 0)), ref m, 0);
        if (TVectors.Value > 1)
        {
            M.Store(M.MultiplyAdd(c, a1, M.Load(ref m, lanes)), ref m, lanes);
            M.Store(M.MultiplyAdd(c, a2, M.Load(ref m, 2 * lanes)), ref m, 2 * lanes);
        }
        if (TVectors.Value > 3)
        {
            M.Store(M.MultiplyAdd(c, a3, M.Load(ref m, 3 * lanes)), ref m, 3 * lanes);
            M.Store(M.MultiplyAdd(c, a4, M.Load(ref m, 4 * lanes)), ref m, 4 * lanes);
            M.Store(M.MultiplyAdd(c, a5, M.Load(ref m, 5 * lanes)), ref m, 5 * lanes);
        }
    }

    // ---- Δ_below[s, i] = (Σ_j Δ[s, j]·W[j, i])·f′(Z_below[s, i], A_below[s, i]) ----

    /// <summary>
    /// The deltas of the layer below for <paramref name="n"/> samples, <c>Δ_below[s, i] = (Σ_j Δ[s, j]·W[j, i])·f′</c>,
    /// with <c>f′</c> of <typeparamref name="TActivation"/> taken from <paramref name="z"/> and <paramref name="a"/> of
    /// the layer below (<paramref name="z"/> may be <paramref name="a"/> where f′ does not read it), in tiles of 4
    /// samples (8 at 512 bits) × 3 vectors of columns.
    /// </summary>
    public static void BackpropagateBatch<T, M, S, TActivation>(ref float w, ref float d, ref float below, ref float z, ref float a, int n)
        where T : struct where M : IVectorMath<T> where S : IDenseShape where TActivation : IActivationOperator =>
        BackpropagateBatch<T, M, S, TActivation>(ref w, ref d, ref below, ref z, ref a, n, 0, S.Inputs / M.Count, tail: true);

    // Columns [v0·lanes, v1·lanes) of Δ_below, three vectors at a time, then one; with tail, also the columns past the last
    // whole vector. Each column's sums are the same whichever tile holds it, so any split of the vectors gives the same bits.
    private static void BackpropagateBatch<T, M, S, TActivation>(ref float w, ref float d, ref float below, ref float z, ref float a, int n, int v0, int v1, bool tail)
        where T : struct where M : IVectorMath<T> where S : IDenseShape where TActivation : IActivationOperator
    {
        int inputs = S.Inputs, outputs = S.Outputs, lanes = M.Count, vectorEnd = inputs / lanes * lanes;
        int chunk = 3 * lanes, from = v0 * lanes, to = v1 * lanes, columnsBlocked = from + (to - from) / chunk * chunk;
        int blocked = n / TileSamples<T, M>() * TileSamples<T, M>();
        // (Empty ranges make no call: on small layers the calls are a good part of the time.)
        if (blocked > 0 && columnsBlocked > from)
        {
            if (M.Count == 16) BackTiles<T, M, S, TActivation, Eight, Three>(ref w, ref d, ref below, ref z, ref a, 0, blocked, from, columnsBlocked);
            else BackTiles<T, M, S, TActivation, Four, Three>(ref w, ref d, ref below, ref z, ref a, 0, blocked, from, columnsBlocked);
        }
        if (blocked > 0 && columnsBlocked < to)
        {
            if (M.Count == 16) BackTiles<T, M, S, TActivation, Eight, One>(ref w, ref d, ref below, ref z, ref a, 0, blocked, columnsBlocked, to);
            else BackTiles<T, M, S, TActivation, Four, One>(ref w, ref d, ref below, ref z, ref a, 0, blocked, columnsBlocked, to);
        }
        if (blocked < n && columnsBlocked > from) BackTiles<T, M, S, TActivation, One, Three>(ref w, ref d, ref below, ref z, ref a, blocked, n, from, columnsBlocked);
        if (blocked < n && columnsBlocked < to) BackTiles<T, M, S, TActivation, One, One>(ref w, ref d, ref below, ref z, ref a, blocked, n, columnsBlocked, to);
        if (!tail) return;
        for (int s = 0; s < n; s++)
        {
            for (int i = vectorEnd; i < inputs; i++)
            {
                float sum = 0f;
                for (int j = 0; j < outputs; j++) sum += Unsafe.Add(ref d, s * outputs + j) * Unsafe.Add(ref w, j * inputs + i);
                int index = s * inputs + i;
                Unsafe.Add(ref below, index) = Derive<float, ScalarMath, TActivation>(sum, ref z, ref a, (nuint)index);
            }
        }
    }

    // Δ_below[s + q, i …] for samples [sFrom, sTo), TSamples (1, 4 or 8) at a time, and columns [from, to), TVectors (1 or 3)
    // vectors at a time; all the tiles in one call, as above.
    private static void BackTiles<T, M, S, TActivation, TSamples, TVectors>(ref float w, ref float d, ref float below, ref float z, ref float a, int sFrom, int sTo, int from, int to)
        where T : struct where M : IVectorMath<T> where S : IDenseShape where TActivation : IActivationOperator where TSamples : ICount where TVectors : ICount
    {
        int inputs = S.Inputs, outputs = S.Outputs, samples = TSamples.Value, vectors = TVectors.Value;
        nuint lanes = (nuint)M.Count;
        for (int s = sFrom; s < sTo; s += samples)
        for (int i = from; i < to; i += vectors * (int)lanes)
        {
            T a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
            T a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
            T a40 = default, a41 = default, a42 = default, a50 = default, a51 = default, a52 = default;
            T a60 = default, a61 = default, a62 = default, a70 = default, a71 = default, a72 = default;
            ref float ds = ref Unsafe.Add(ref d, s * outputs);
            for (int j = 0; j < outputs; j++)
            {
                ref float wr = ref Unsafe.Add(ref w, j * inputs + i);
                T w0 = M.Load(ref wr, 0), w1 = default, w2 = default;
                if (vectors > 1) { w1 = M.Load(ref wr, lanes); w2 = M.Load(ref wr, 2 * lanes); }
                T dv = M.Create(Unsafe.Add(ref ds, j));
                a00 = M.MultiplyAdd(dv, w0, a00);
                if (vectors > 1) { a01 = M.MultiplyAdd(dv, w1, a01); a02 = M.MultiplyAdd(dv, w2, a02); }
                if (samples > 1)
                {
                    dv = M.Create(Unsafe.Add(ref ds, j + outputs));
                    a10 = M.MultiplyAdd(dv, w0, a10);
                    if (vectors > 1) { a11 = M.MultiplyAdd(dv, w1, a11); a12 = M.MultiplyAdd(dv, w2, a12); }
                    dv = M.Create(Unsafe.Add(ref ds, j + 2 * outputs));
                    a20 = M.MultiplyAdd(dv, w0, a20);
                    if (vectors > 1) { a21 = M.MultiplyAdd(dv, w1, a21); a22 = M.MultiplyAdd(dv, w2, a22); }
                    dv = M.Create(Unsafe.Add(ref ds, j + 3 * outputs));
                    a30 = M.MultiplyAdd(dv, w0, a30);
                    if (vectors > 1) { a31 = M.MultiplyAdd(dv, w1, a31); a32 = M.MultiplyAdd(dv, w2, a32); }
                }
                if (samples > 4)
                {
                    dv = M.Create(Unsafe.Add(ref ds, j + 4 * outputs));
                    a40 = M.MultiplyAdd(dv, w0, a40);
                    if (vectors > 1) { a41 = M.MultiplyAdd(dv, w1, a41); a42 = M.MultiplyAdd(dv, w2, a42); }
                    dv = M.Create(Unsafe.Add(ref ds, j + 5 * outputs));
                    a50 = M.MultiplyAdd(dv, w0, a50);
                    if (vectors > 1) { a51 = M.MultiplyAdd(dv, w1, a51); a52 = M.MultiplyAdd(dv, w2, a52); }
                    dv = M.Create(Unsafe.Add(ref ds, j + 6 * outputs));
                    a60 = M.MultiplyAdd(dv, w0, a60);
                    if (vectors > 1) { a61 = M.MultiplyAdd(dv, w1, a61); a62 = M.MultiplyAdd(dv, w2, a62); }
                    dv = M.Create(Unsafe.Add(ref ds, j + 7 * outputs));
                    a70 = M.MultiplyAdd(dv, w0, a70);
                    if (vectors > 1) { a71 = M.MultiplyAdd(dv, w1, a71); a72 = M.MultiplyAdd(dv, w2, a72); }
                }
            }
            // Δ_below = accumulator·f′, sample by sample
            nuint at = (nuint)(s * inputs + i), stride = (nuint)inputs;
            StoreDerived<T, M, TActivation, TVectors>(a00, a01, a02, ref below, ref z, ref a, at);
            if (samples > 1)
            {
                StoreDerived<T, M, TActivation, TVectors>(a10, a11, a12, ref below, ref z, ref a, at + stride);
                StoreDerived<T, M, TActivation, TVectors>(a20, a21, a22, ref below, ref z, ref a, at + 2 * stride);
                StoreDerived<T, M, TActivation, TVectors>(a30, a31, a32, ref below, ref z, ref a, at + 3 * stride);
            }
            if (samples > 4)
            {
                StoreDerived<T, M, TActivation, TVectors>(a40, a41, a42, ref below, ref z, ref a, at + 4 * stride);
                StoreDerived<T, M, TActivation, TVectors>(a50, a51, a52, ref below, ref z, ref a, at + 5 * stride);
                StoreDerived<T, M, TActivation, TVectors>(a60, a61, a62, ref below, ref z, ref a, at + 6 * stride);
                StoreDerived<T, M, TActivation, TVectors>(a70, a71, a72, ref below, ref z, ref a, at + 7 * stride);
            }
        }
    }

    // below[at + v·lanes …] = a_v·f′ for v < TVectors.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDerived<T, M, TActivation, TVectors>(T a0, T a1, T a2, ref float below, ref float z, ref float a, nuint at)
        where T : struct where M : IVectorMath<T> where TActivation : IActivationOperator where TVectors : ICount
    {
        nuint lanes = (nuint)M.Count;
        M.Store(Derive<T, M, TActivation>(a0, ref z, ref a, at), ref below, at);
        if (TVectors.Value > 1)
        {
            M.Store(Derive<T, M, TActivation>(a1, ref z, ref a, at + lanes), ref below, at + lanes);
            M.Store(Derive<T, M, TActivation>(a2, ref z, ref a, at + 2 * lanes), ref below, at + 2 * lanes);
        }
    }

    // sum·f′(z[index], a[index]); the sum itself for the identity (f′ = 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Derive<T, M, TActivation>(T sum, ref float z, ref float a, nuint index) where T : struct where M : IVectorMath<T> where TActivation : IActivationOperator
    {
        if (typeof(TActivation) == typeof(IdentityOperator)) return sum;
        T av = M.Load(ref a, index);
        return M.Multiply(sum, TActivation.Derivative<T, M>(TActivation.DerivativeNeedsZ ? M.Load(ref z, index) : av, av));
    }
}
