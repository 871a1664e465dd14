using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FixedNet.Benchmarks;

/// <summary>
/// Measures how fast this core streams a buffer of a given size through the cache hierarchy, read-only and
/// read-modify-write, with Vector256 loads and eight independent accumulators (best of many passes). A single-sample
/// training step has to read every weight once (forward) and read and write every weight row it updates, so these
/// rates give a time no batch-1 step can beat, whatever its arithmetic.
/// </summary>
public static class Bandwidth
{
    /// <summary>Bytes per second, read-only and read+write (both directions counted), for a buffer of <paramref name="bytes"/> bytes.</summary>
    public static (double Read, double ReadWrite) Measure(int bytes)
    {
        var buffer = new float[Math.Max(64, bytes / sizeof(float) / 64 * 64)];
        buffer.AsSpan().Fill(1e-3f);
        int passes = Math.Max(20, 200_000_000 / bytes);
        double bestRead = double.MaxValue, bestWrite = double.MaxValue;
        float sink = 0;
        for (int trial = 0; trial < 10; trial++)
        {
            var watch = Stopwatch.StartNew();
            for (int p = 0; p < passes; p++) sink += Read(buffer);
            bestRead = Math.Min(bestRead, watch.Elapsed.TotalSeconds / passes);
            watch.Restart();
            for (int p = 0; p < passes; p++) Update(buffer, 1e-12f);
            bestWrite = Math.Min(bestWrite, watch.Elapsed.TotalSeconds / passes);
        }
        GC.KeepAlive(sink);
        double size = buffer.Length * (double)sizeof(float);
        return (size / bestRead, 2 * size / bestWrite);
    }

    /// <summary>Prints the two rates for the parameter buffers of the large benchmarked shapes, and the batch-1 bounds they imply.</summary>
    public static int Report()
    {
        Console.WriteLine("Streaming rates of this core (Vector256, best of 10) and the batch-1 floors they imply:");
        foreach (string shape in Shapes.Names)
        {
            var architecture = Shapes.CreateGenerated(shape).Architecture;
            int bytes = architecture.ParameterCount * sizeof(float);
            if (bytes < 64 * 1024) continue;
            var (read, readWrite) = Measure(bytes);
            double inference = bytes / read, update = 2.0 * bytes / readWrite;
            Console.WriteLine($"  {shape}: parameters {bytes / 1024.0:F0} KiB; read {read / 1e9:F1} GB/s, read+write {readWrite / 1e9:F1} GB/s;"
                + $" inference ≥ {inference * 1e6:F1} µs; training step ≥ {(inference + update) * 1e6:F1} µs with every row updated,"
                + $" ≥ {(inference + update / 2) * 1e6:F1} µs with half of them (ReLU units inactive)");
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // optimized from the first call: the trials are over before tiering would recompile
    private static float Read(float[] buffer)
    {
        ref float p = ref MemoryMarshal.GetArrayDataReference(buffer);
        var s0 = Vector256<float>.Zero; var s1 = s0; var s2 = s0; var s3 = s0; var s4 = s0; var s5 = s0; var s6 = s0; var s7 = s0;
        for (nuint i = 0; i < (nuint)buffer.Length; i += 64)
        {
            s0 += Vector256.LoadUnsafe(ref p, i); s1 += Vector256.LoadUnsafe(ref p, i + 8);
            s2 += Vector256.LoadUnsafe(ref p, i + 16); s3 += Vector256.LoadUnsafe(ref p, i + 24);
            s4 += Vector256.LoadUnsafe(ref p, i + 32); s5 += Vector256.LoadUnsafe(ref p, i + 40);
            s6 += Vector256.LoadUnsafe(ref p, i + 48); s7 += Vector256.LoadUnsafe(ref p, i + 56);
        }
        return Vector256.Sum((s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // optimized from the first call: the trials are over before tiering would recompile
    private static void Update(float[] buffer, float c)
    {
        ref float p = ref MemoryMarshal.GetArrayDataReference(buffer);
        var cv = Vector256.Create(c);
        for (nuint i = 0; i < (nuint)buffer.Length; i += 16)
        {
            (Vector256.LoadUnsafe(ref p, i) + cv).StoreUnsafe(ref p, i);
            (Vector256.LoadUnsafe(ref p, i + 8) + cv).StoreUnsafe(ref p, i + 8);
        }
    }
}
