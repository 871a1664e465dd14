using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FixedNet.Runtime;

namespace FixedNet.Benchmarks;

/// <summary>
/// Measures this core's fp32 FMA throughput: 12 independent FMA chains on registers only (enough to cover FMA
/// latency × throughput on current x64 cores), with Vector512 where the generated kernels use it
/// (<see cref="Simd.UseVector512"/>) and Vector256 otherwise. "% of peak" in the reports is relative to this number.
/// </summary>
public static class PeakFlops
{
    private static readonly Lazy<double> Measured = new(Measure);

    public static double Gflops => Measured.Value;

    /// <summary>The vector width the peak is measured with: the one the generated kernels run with.</summary>
    public static int VectorBits => Simd.UseVector512 && Vector512.IsHardwareAccelerated ? 512 : 256;

    private static double Measure()
    {
        const long iterations = 2_000_000;
        bool wide = VectorBits == 512;
        _ = wide ? Run512(iterations / 10) : Run256(iterations / 10);
        double best = 0;
        for (int trial = 0; trial < 20; trial++) // best of 20: turbo and other tenants make single trials vary
        {
            var watch = Stopwatch.StartNew();
            _ = wide ? Run512(iterations) : Run256(iterations);
            best = Math.Max(best, iterations * 12.0 * 2 * (VectorBits / 32) / watch.Elapsed.TotalNanoseconds);
        }
        return best;
    }

    /// <summary>12 independent Vector256 FMA chains, <paramref name="iterations"/> steps each: registers only.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static float Run256(long iterations)
    {
        var a0 = Vector256.Create(1f); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0;
        var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
        var m = Vector256.Create(0.9999999f);
        var c = Vector256.Create(1e-7f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run512(long iterations)
    {
        var a0 = Vector512.Create(1f); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0;
        var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
        var m = Vector512.Create(0.9999999f);
        var c = Vector512.Create(1e-7f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
