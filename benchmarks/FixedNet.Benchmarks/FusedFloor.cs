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
        ref float x = ref MemoryMarshal.GetReference(input);
        Vector256<float> half = Vector256.LoadUnsafe(ref x);
        Vector512<float> xx = Vector512.Create(half, half);
        Vector512<float> z0 = FixedNet.Runtime.VectorMath.SumPairs8(
            Vector512.LoadUnsafe(ref p, 0) * xx, Vector512.LoadUnsafe(ref p, 16) * xx,
            Vector512.LoadUnsafe(ref p, 32) * xx, Vector512.LoadUnsafe(ref p, 48) * xx,
            Vector512.LoadUnsafe(ref p, 64) * xx, Vector512.LoadUnsafe(ref p, 80) * xx,
            Vector512.LoadUnsafe(ref p, 96) * xx, Vector512.LoadUnsafe(ref p, 112) * xx) + Vector512.LoadUnsafe(ref p, 128);
        Vector512<float> a0 = Vector512Math.Tanh(z0);
        ref float w1 = ref Unsafe.Add(ref p, 144);
        Vector512<float> z1 = FixedNet.Runtime.VectorMath.Sum16(
            Vector512.LoadUnsafe(ref w1, 0) * a0, Vector512.LoadUnsafe(ref w1, 16) * a0, Vector512.LoadUnsafe(ref w1, 32) * a0, Vector512.LoadUnsafe(ref w1, 48) * a0,
            Vector512.LoadUnsafe(ref w1, 64) * a0, Vector512.LoadUnsafe(ref w1, 80) * a0, Vector512.LoadUnsafe(ref w1, 96) * a0, Vector512.LoadUnsafe(ref w1, 112) * a0,
            Vector512.LoadUnsafe(ref w1, 128) * a0, Vector512.LoadUnsafe(ref w1, 144) * a0, Vector512.LoadUnsafe(ref w1, 160) * a0, Vector512.LoadUnsafe(ref w1, 176) * a0,
            Vector512.LoadUnsafe(ref w1, 192) * a0, Vector512.LoadUnsafe(ref w1, 208) * a0, Vector512.LoadUnsafe(ref w1, 224) * a0, Vector512.LoadUnsafe(ref w1, 240) * a0) + Vector512.LoadUnsafe(ref w1, 256);
        Vector512<float> a1 = Vector512Math.Tanh(z1);
        ref float w2 = ref Unsafe.Add(ref w1, 272);
        Vector512<float> t = Vector512.LoadUnsafe(ref w2) * a1;
        Vector256<float> s8 = t.GetLower() + t.GetUpper();
        Vector128<float> s4 = s8.GetLower() + s8.GetUpper();
        output[0] = Vector128.Sum(s4) + Unsafe.Add(ref w2, 16);
    }
}
