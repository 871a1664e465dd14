using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using FixedNet.Operators;

namespace FixedNet.Benchmarks;

/// <summary>
/// The vector tanh (<see cref="VectorFormulas.Tanh{T, M}"/>) against the formula it replaced, kept here as the in-run
/// reference: <c>(1 − e^(−2|x|)) / (1 + e^(−2|x|))</c> with a Taylor series below |x| = 0.25 and a select between the two.
/// <c>Chain</c> feeds each result into the next call (latency: what a single-sample pass through small tanh layers waits
/// on); <c>Row</c> runs over 4,096 independent floats (throughput: batches). At the widest accelerated width.
/// </summary>
public class TanhFormula
{
    private readonly float[] _row = new float[4096];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < _row.Length; i++) _row[i] = (float)(random.NextDouble() * 8 - 4);
    }

    [Benchmark(Baseline = true)]
    public float PreviousChain() => Chain<Previous>();

    [Benchmark]
    public float CurrentChain() => Chain<Current>();

    [Benchmark]
    public float PreviousRow() => Row<Previous>();

    [Benchmark]
    public float CurrentRow() => Row<Current>();

    private interface IFormula { static abstract Vector512<float> Tanh(Vector512<float> x); }

    private readonly struct Current : IFormula
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Tanh(Vector512<float> x) => VectorFormulas.Tanh<Vector512<float>, Vector512Math>(x);
    }

    private readonly struct Previous : IFormula
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Tanh(Vector512<float> x)
        {
            Vector512<float> y = Vector512.MinNative(Vector512.Abs(x), Vector512.Create(9.1f));
            const float Shifter = 12582912f;
            Vector512<float> n = Vector512.MultiplyAddEstimate(y, Vector512.Create(-2f * 1.44269504088896341f), Vector512.Create(Shifter)) - Vector512.Create(Shifter);
            Vector512<float> t = y * Vector512.Create(-2f);
            Vector512<float> r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-0.693359375f), t);
            r = Vector512.MultiplyAddEstimate(n, Vector512.Create(2.12194440e-4f), r);
            Vector512<float> r2 = r * r;
            Vector512<float> p01 = Vector512.MultiplyAddEstimate(Vector512.Create(1.6666665459e-1f), r, Vector512.Create(5.0000001201e-1f));
            Vector512<float> p23 = Vector512.MultiplyAddEstimate(Vector512.Create(8.3334519073e-3f), r, Vector512.Create(4.1665795894e-2f));
            Vector512<float> p45 = Vector512.MultiplyAddEstimate(Vector512.Create(1.9875691500e-4f), r, Vector512.Create(1.3981999507e-3f));
            Vector512<float> p = Vector512.MultiplyAddEstimate(p45, r2 * r2, Vector512.MultiplyAddEstimate(p23, r2, p01));
            Vector512<float> e = (Vector512.MultiplyAddEstimate(p, r2, r) + Vector512<float>.One) * ((Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23).AsSingle();
            Vector512<float> large = (Vector512<float>.One - e) / (Vector512<float>.One + e);
            Vector512<float> y2 = y * y;
            Vector512<float> q = Vector512.MultiplyAddEstimate(y2, Vector512.Create(-1382f / 155925f), Vector512.Create(62f / 2835f));
            q = Vector512.MultiplyAddEstimate(y2, q, Vector512.Create(-17f / 315f));
            q = Vector512.MultiplyAddEstimate(y2, q, Vector512.Create(2f / 15f));
            q = Vector512.MultiplyAddEstimate(y2, q, Vector512.Create(-1f / 3f));
            Vector512<float> small = Vector512.MultiplyAddEstimate(y2 * y, q, y);
            return Vector512.ConditionalSelect(Vector512.IsNaN(x), x,
                Vector512.CopySign(Vector512.ConditionalSelect(Vector512.LessThan(y, Vector512.Create(0.25f)), small, large), x));
        }
    }

    private float Chain<F>() where F : IFormula
    {
        Vector512<float> v = Vector512.LoadUnsafe(ref _row[0]);
        for (int i = 0; i < 64; i++) v = F.Tanh(v + v);
        return v.ToScalar();
    }

    private float Row<F>() where F : IFormula
    {
        Vector512<float> sum = default;
        for (int i = 0; i < _row.Length; i += 16) sum += F.Tanh(Vector512.LoadUnsafe(ref _row[i]));
        return sum.ToScalar();
    }
}
