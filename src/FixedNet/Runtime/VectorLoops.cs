using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FixedNet.Operators;

namespace FixedNet.Runtime;

/// <summary>
/// The element-wise passes over whole parameter vectors that training makes once per batch (an SGD step, the sum of
/// the shards' gradients), at the width of the generated kernels (<see cref="Simd.VectorBits"/>), with a multiply-add
/// per element. They stream memory: on the 2-vCPU Xeon VM of benchmarks/README.md, <c>y += a·x</c> over 235,146
/// floats took 31 µs against 187 µs for <c>TensorPrimitives.MultiplyAdd(x, a, y, y)</c> (BenchmarkDotNet,
/// <c>UpdatePass</c>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class VectorLoops
{
    /// <summary>
    /// <c>destination[i] = a·x[i] + y[i]</c> (one fused multiply-add where the hardware has FMA), as
    /// <c>TensorPrimitives.MultiplyAdd(x, a, y, destination)</c>; <paramref name="destination"/> may be
    /// <paramref name="x"/> or <paramref name="y"/> itself.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void MultiplyAdd(ReadOnlySpan<float> x, float a, ReadOnlySpan<float> y, Span<float> destination)
    {
        if (x.Length != y.Length) ThrowHelper.ThrowLengthMismatch(nameof(y), x.Length, y.Length);
        if (x.Length != destination.Length) ThrowHelper.ThrowLengthMismatch(nameof(destination), x.Length, destination.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        ref float ds = ref MemoryMarshal.GetReference(destination);
        nuint n = (nuint)x.Length;
        nuint i = Simd.VectorBits >= 512 ? MultiplyAdd<Vector512<float>, Vector512Math>(ref xs, a, ref ys, ref ds, n)
            : Simd.VectorBits >= 256 ? MultiplyAdd<Vector256<float>, Vector256Math>(ref xs, a, ref ys, ref ds, n)
            : MultiplyAdd<Vector128<float>, Vector128Math>(ref xs, a, ref ys, ref ds, n);
        MultiplyAdd<float, ScalarMath>(ref Unsafe.Add(ref xs, i), a, ref Unsafe.Add(ref ys, i), ref Unsafe.Add(ref ds, i), n - i);
    }

    /// <summary><c>y[i] = a·x[i]</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Multiply(ReadOnlySpan<float> x, float a, Span<float> y)
    {
        if (x.Length != y.Length) ThrowHelper.ThrowLengthMismatch(nameof(y), x.Length, y.Length);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        nuint n = (nuint)x.Length;
        nuint i = Simd.VectorBits >= 512 ? Multiply<Vector512<float>, Vector512Math>(ref xs, a, ref ys, n)
            : Simd.VectorBits >= 256 ? Multiply<Vector256<float>, Vector256Math>(ref xs, a, ref ys, n)
            : Multiply<Vector128<float>, Vector128Math>(ref xs, a, ref ys, n);
        Multiply<float, ScalarMath>(ref Unsafe.Add(ref xs, i), a, ref Unsafe.Add(ref ys, i), n - i);
    }

    // Whole values of M from the start; returns where they end (the caller finishes with ScalarMath, whose Count is 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint MultiplyAdd<T, M>(ref float x, float a, ref float y, ref float destination, nuint n) where T : struct where M : IVectorMath<T>
    {
        T va = M.Create(a);
        nuint width = (nuint)M.Count, i = 0;
        for (; i + width <= n; i += width) M.Store(M.MultiplyAdd(M.Load(ref x, i), va, M.Load(ref y, i)), ref destination, i);
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint Multiply<T, M>(ref float x, float a, ref float y, nuint n) where T : struct where M : IVectorMath<T>
    {
        T va = M.Create(a);
        nuint width = (nuint)M.Count, i = 0;
        for (; i + width <= n; i += width) M.Store(M.Multiply(M.Load(ref x, i), va), ref y, i);
        return i;
    }
}
