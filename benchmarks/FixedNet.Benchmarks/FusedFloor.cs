using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using FixedNet.Operators;

namespace FixedNet.Benchmarks;

/// <summary>
/// Issue 13's floor for a register-resident small network: the 8-16-16-1 tanh forward pass written by hand as one method
/// on Vector512 registers (the same row-major parameters, the same reductions and the same vector tanh as the generated
/// kernels, with no scratch buffer or call between the layers), against the generated <c>Forward</c>. It says how much of
/// the generated pass is per-layer overhead. AVX-512 only.
/// </summary>
public class FusedFloor
{
    private Net8x16x16x1Tanh _net = null!;
    private float[] _p = null!;
    private float[] _inputs = null!;
    private readonly float[] _out = new float[1];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        if (!Avx512F.IsSupported) throw new NotSupportedException("FusedFloor is written for AVX-512.");
        _net = new Net8x16x16x1Tanh();
        _net.InitializeParameters(1);
        _p = _net.Parameters.ToArray();
        var r = new Random(2);
        _inputs = new float[256 * 8];
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = (float)(r.NextDouble() * 2 - 1);
        var o2 = new float[1];
        for (int s = 0; s < 256; s++)
        {
            _net.Forward(_inputs.AsSpan(s * 8, 8), _out);
            Fused(_inputs.AsSpan(s * 8, 8), o2);
            if (Math.Abs(_out[0] - o2[0]) > 1e-5f) throw new InvalidOperationException($"sample {s}: generated {_out[0]}, fused {o2[0]}");
        }
    }

    [Benchmark(Baseline = true)]
    public float Generated() { _next = (_next + 1) & 255; _net.Forward(_inputs.AsSpan(_next * 8, 8), _out); return _out[0]; }

    [Benchmark]
    public float FusedForward() { _next = (_next + 1) & 255; Fused(_inputs.AsSpan(_next * 8, 8), _out); return _out[0]; }

    private void Fused(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length != 8) throw new ArgumentException("8 inputs", nameof(input));
        if (output.Length != 1) throw new ArgumentException("1 output", nameof(output));
        ref float p = ref MemoryMarshal.GetArrayDataReference(_p);
        Vector512<float> a0 = Vector512Math.Tanh(RegisterLayers.Pairs8x16(ref p, RegisterLayers.Twice(ref MemoryMarshal.GetReference(input))));
        Vector512<float> a1 = Vector512Math.Tanh(RegisterLayers.Rows16x16(ref Unsafe.Add(ref p, 144), a0));
        output[0] = RegisterLayers.Row16x1(ref Unsafe.Add(ref p, 416), a1);
    }
}

/// <summary>
/// Issue 13's floor for a batch-1 training step: the 8-16-16-1 sigmoid <c>TrainStep</c> (squared error) against the same
/// step written by hand as one method on Vector512 registers (the same parameter layout and order of operations: the
/// parameters it leaves agree with the generated step's within float rounding), and against parts of it: the forward
/// pass with the loss, then also the deltas of the layers below. Each step's forward pass reads the weights the step
/// before wrote, so a run of steps is one chain of dependent operations, and the parts show where its time goes. AVX-512 only.
/// </summary>
public class FusedTrainFloor
{
    private Net8x16x16x1Sigmoid _net = null!;
    private FixedNet.Runtime.AlignedBuffer _p;
    private float[] _inputs = null!, _targets = null!;
    private int _next;
    private const float LearningRate = 1e-4f;

    [GlobalSetup]
    public void Setup()
    {
        if (!Avx512F.IsSupported) throw new NotSupportedException("FusedTrainFloor is written for AVX-512.");
        _net = new Net8x16x16x1Sigmoid();
        _net.InitializeParameters(1);
        _p = new FixedNet.Runtime.AlignedBuffer(Net8x16x16x1Sigmoid.ParameterCount);
        _net.Parameters.CopyTo(_p.Span);
        var r = new Random(2);
        _inputs = new float[256 * 8];
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = (float)(r.NextDouble() * 2 - 1);
        _targets = new float[256];
        for (int i = 0; i < _targets.Length; i++) _targets[i] = (float)r.NextDouble();
        for (int s = 0; s < 256; s++)
        {
            float generated = _net.TrainStep(_inputs.AsSpan(s * 8, 8), _targets.AsSpan(s, 1), 0.1f);
            float fused = Step(ref _p.Reference, ref _inputs[s * 8], _targets[s], 0.1f, 2);
            if (Math.Abs(generated - fused) > 1e-5f) throw new InvalidOperationException($"sample {s}: generated loss {generated}, fused {fused}");
        }
        for (int i = 0; i < Net8x16x16x1Sigmoid.ParameterCount; i++)
            if (Math.Abs(_net.Parameters[i] - _p.Span[i]) > 1e-6f) throw new InvalidOperationException($"parameter {i}: generated {_net.Parameters[i]}, fused {_p.Span[i]}");
    }

    [Benchmark(Baseline = true)]
    public float Generated() { _next = (_next + 1) & 255; return _net.TrainStep(_inputs.AsSpan(_next * 8, 8), _targets.AsSpan(_next, 1), LearningRate); }

    [Benchmark]
    public float FusedStep() { _next = (_next + 1) & 255; return Step(ref _p.Reference, ref _inputs[_next * 8], _targets[_next], LearningRate, 2); }

    [Benchmark]
    public float FusedForwardAndLoss() { _next = (_next + 1) & 255; return Step(ref _p.Reference, ref _inputs[_next * 8], _targets[_next], LearningRate, 0); }

    [Benchmark]
    public float FusedWithDeltas() { _next = (_next + 1) & 255; return Step(ref _p.Reference, ref _inputs[_next * 8], _targets[_next], LearningRate, 1); }

    private static Vector512<float> Sig(Vector512<float> z) => SigmoidOperator.Invoke<Vector512<float>, Vector512Math>(z);

    private static Vector512<float> Lane(Vector512<float> v, int j) => Avx512F.PermuteVar16x32(v, Vector512.Create(j));

    // stage 0: forward and loss; 1: and the deltas below; 2: the whole step, updates included
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Step(ref float p, ref float x, float t, float lr, int stage)
    {
        Vector512<float> xx = RegisterLayers.Twice(ref x);
        Vector512<float> a0 = Sig(RegisterLayers.Pairs8x16(ref p, xx));
        ref float w1 = ref Unsafe.Add(ref p, 144);
        Vector512<float> a1 = Sig(RegisterLayers.Rows16x16(ref w1, a0));
        ref float w2 = ref Unsafe.Add(ref w1, 272);
        Vector512<float> w2v = Vector512.LoadUnsafe(ref w2);
        float z2 = RegisterLayers.Row16x1(ref w2, a1);
        float o = 1f / (1f + MathF.Exp(-z2));
        float err = o - t, loss = err * err;
        if (stage == 0) return loss;
        float d2 = 2f * err * (o * (1f - o));
        // layer 2: below, then update
        Vector512<float> d1 = w2v * Vector512.Create(d2) * (a1 * (Vector512<float>.One - a1));
        (w2v + Vector512.Create(-lr * d2) * a1).StoreUnsafe(ref w2);
        Unsafe.Add(ref w2, 16) += -lr * d2;
        // layer 1: d0 = W1ᵀ d1 (four chains), then the update
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int j = 0; j < 16; j += 4)
        {
            c0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, (nuint)(j * 16)), Lane(d1, j), c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, (nuint)(j * 16 + 16)), Lane(d1, j + 1), c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, (nuint)(j * 16 + 32)), Lane(d1, j + 2), c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref w1, (nuint)(j * 16 + 48)), Lane(d1, j + 3), c3);
        }
        Vector512<float> d0 = ((c0 + c1) + (c2 + c3)) * (a0 * (Vector512<float>.One - a0));
        if (stage == 1) return loss + d0.ToScalar();
        Vector512<float> e1 = Vector512.Create(-lr) * d1;
        for (int j = 0; j < 16; j++)
        {
            ref float row = ref Unsafe.Add(ref w1, j * 16);
            Vector512.FusedMultiplyAdd(Lane(e1, j), a0, Vector512.LoadUnsafe(ref row)).StoreUnsafe(ref row);
        }
        (Vector512.LoadUnsafe(ref w1, 256) + e1).StoreUnsafe(ref w1, 256);
        // layer 0: pairs of rows
        Vector512<float> e0 = Vector512.Create(-lr) * d0;
        for (int k = 0; k < 8; k++)
        {
            Vector512<float> ek = Avx512F.PermuteVar16x32(e0, Vector512.Create(2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1, 2 * k + 1));
            Vector512.FusedMultiplyAdd(ek, xx, Vector512.LoadUnsafe(ref p, (nuint)(16 * k))).StoreUnsafe(ref p, (nuint)(16 * k));
        }
        (Vector512.LoadUnsafe(ref p, 128) + e0).StoreUnsafe(ref p, 128);
        return loss;
    }
}

/// <summary>
/// The layers of the 8-16-16-1 networks on Vector512 registers, in the generated kernels' order of operations (the same
/// reductions, <c>SumPairs8</c> and <c>Sum16</c>), for the hand-fused references above. Each takes the layer's weights
/// (row-major, then the biases) and returns z.
/// </summary>
internal static class RegisterLayers
{
    /// <summary>The 8 inputs twice, <c>[x, x]</c>: two rows of an 8-input layer fill one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Twice(ref float x)
    {
        Vector256<float> half = Vector256.LoadUnsafe(ref x);
        return Vector512.Create(half, half);
    }

    /// <summary>8 → 16: rows 2m and 2m + 1 in vector m against <c>[x, x]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Pairs8x16(ref float w, Vector512<float> xx) => FixedNet.Runtime.VectorMath.SumPairs8(
        Vector512.LoadUnsafe(ref w, 0) * xx, Vector512.LoadUnsafe(ref w, 16) * xx, Vector512.LoadUnsafe(ref w, 32) * xx, Vector512.LoadUnsafe(ref w, 48) * xx,
        Vector512.LoadUnsafe(ref w, 64) * xx, Vector512.LoadUnsafe(ref w, 80) * xx, Vector512.LoadUnsafe(ref w, 96) * xx, Vector512.LoadUnsafe(ref w, 112) * xx)
        + Vector512.LoadUnsafe(ref w, 128);

    /// <summary>16 → 16: one row per vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Rows16x16(ref float w, Vector512<float> a) => FixedNet.Runtime.VectorMath.Sum16(
        Vector512.LoadUnsafe(ref w, 0) * a, Vector512.LoadUnsafe(ref w, 16) * a, Vector512.LoadUnsafe(ref w, 32) * a, Vector512.LoadUnsafe(ref w, 48) * a,
        Vector512.LoadUnsafe(ref w, 64) * a, Vector512.LoadUnsafe(ref w, 80) * a, Vector512.LoadUnsafe(ref w, 96) * a, Vector512.LoadUnsafe(ref w, 112) * a,
        Vector512.LoadUnsafe(ref w, 128) * a, Vector512.LoadUnsafe(ref w, 144) * a, Vector512.LoadUnsafe(ref w, 160) * a, Vector512.LoadUnsafe(ref w, 176) * a,
        Vector512.LoadUnsafe(ref w, 192) * a, Vector512.LoadUnsafe(ref w, 208) * a, Vector512.LoadUnsafe(ref w, 224) * a, Vector512.LoadUnsafe(ref w, 240) * a)
        + Vector512.LoadUnsafe(ref w, 256);

    /// <summary>16 → 1: halves, quarters, then the four lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Row16x1(ref float w, Vector512<float> a)
    {
        Vector512<float> t = Vector512.LoadUnsafe(ref w) * a;
        Vector256<float> s8 = t.GetLower() + t.GetUpper();
        Vector128<float> s4 = s8.GetLower() + s8.GetUpper();
        return Vector128.Sum(s4) + Unsafe.Add(ref w, 16);
    }
}
