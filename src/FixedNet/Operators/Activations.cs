using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FixedNet.Runtime;

namespace FixedNet.Operators;

/// <summary>
/// Calls of an <see cref="IActivationOperator"/> at each width, and the loops that apply one to a row of values. The
/// loops are written once here: the widest vector that fits the row, from <see cref="Simd.VectorBits"/> down
/// (512 → 256 → 128 bits), its last vector overlapping the one before instead of a scalar remainder, and plain floats
/// only for rows shorter than 4.
/// </summary>
public static class Activations
{
#pragma warning disable CS1591 // f(z) and f′(z, a) of TOp at the width of the argument
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Invoke<TOp>(float z) where TOp : IUnaryOperator => TOp.Invoke<float, ScalarMath>(z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Invoke<TOp>(Vector128<float> z) where TOp : IUnaryOperator => TOp.Invoke<Vector128<float>, Vector128Math>(z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Invoke<TOp>(Vector256<float> z) where TOp : IUnaryOperator => TOp.Invoke<Vector256<float>, Vector256Math>(z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Invoke<TOp>(Vector512<float> z) where TOp : IUnaryOperator => TOp.Invoke<Vector512<float>, Vector512Math>(z);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Derivative<TOp>(float z, float a) where TOp : IActivationOperator => TOp.Derivative<float, ScalarMath>(z, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Derivative<TOp>(Vector128<float> z, Vector128<float> a) where TOp : IActivationOperator => TOp.Derivative<Vector128<float>, Vector128Math>(z, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Derivative<TOp>(Vector256<float> z, Vector256<float> a) where TOp : IActivationOperator => TOp.Derivative<Vector256<float>, Vector256Math>(z, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Derivative<TOp>(Vector512<float> z, Vector512<float> a) where TOp : IActivationOperator => TOp.Derivative<Vector512<float>, Vector512Math>(z, a);
#pragma warning restore CS1591

    /// <summary>
    /// <c>a[i] = f(z[i])</c> for <c>i &lt; n</c>. <paramref name="a"/> may be <paramref name="z"/> itself (in place); the
    /// two must not overlap otherwise.
    /// </summary>
    public static void Apply<TOp>(ref float z, ref float a, int n) where TOp : IUnaryOperator
    {
        nuint count = (nuint)n;
        if (n >= 16 && Simd.VectorBits >= 512) Map<Vector512<float>, Vector512Math, TOp>(ref z, ref a, count);
        else if (n >= 8 && Simd.VectorBits >= 256) Map<Vector256<float>, Vector256Math, TOp>(ref z, ref a, count);
        else if (n >= 4) Map<Vector128<float>, Vector128Math, TOp>(ref z, ref a, count);
        else for (nuint i = 0; i < count; i++) Unsafe.Add(ref a, i) = TOp.Invoke<float, ScalarMath>(Unsafe.Add(ref z, i));
    }

    /// <summary>
    /// <c>d[i] ·= f′(z[i], a[i])</c> for <c>i &lt; n</c>: a delta ∂L/∂a taken through the activation to ∂L/∂z. Where
    /// <see cref="IActivationOperator.DerivativeNeedsZ"/> is false, <paramref name="z"/> is not read and may be <paramref name="a"/>.
    /// </summary>
    public static void MultiplyDerivative<TOp>(ref float z, ref float a, ref float d, int n) where TOp : IActivationOperator
    {
        nuint count = (nuint)n;
        if (n >= 16 && Simd.VectorBits >= 512) Scale<Vector512<float>, Vector512Math, TOp>(ref z, ref a, ref d, count);
        else if (n >= 8 && Simd.VectorBits >= 256) Scale<Vector256<float>, Vector256Math, TOp>(ref z, ref a, ref d, count);
        else if (n >= 4) Scale<Vector128<float>, Vector128Math, TOp>(ref z, ref a, ref d, count);
        else for (nuint i = 0; i < count; i++) Unsafe.Add(ref d, i) *= TOp.Derivative<float, ScalarMath>(Unsafe.Add(ref z, i), Unsafe.Add(ref a, i));
    }

    // n ≥ M.Count. The last vector is computed first, from values not yet overwritten, and stored last, so the overlap
    // with the vector before it does no harm even in place.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Map<T, M, TOp>(ref float x, ref float y, nuint n) where T : struct where M : IVectorMath<T> where TOp : IUnaryOperator
    {
        nuint width = (nuint)M.Count, end = n - width;
        T last = TOp.Invoke<T, M>(M.Load(ref x, end));
        for (nuint i = 0; i < end; i += width) M.Store(TOp.Invoke<T, M>(M.Load(ref x, i)), ref y, i);
        M.Store(last, ref y, end);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale<T, M, TOp>(ref float z, ref float a, ref float d, nuint n) where T : struct where M : IVectorMath<T> where TOp : IActivationOperator
    {
        nuint width = (nuint)M.Count, end = n - width;
        T last = M.Multiply(M.Load(ref d, end), TOp.Derivative<T, M>(M.Load(ref z, end), M.Load(ref a, end)));
        for (nuint i = 0; i < end; i += width)
            M.Store(M.Multiply(M.Load(ref d, i), TOp.Derivative<T, M>(M.Load(ref z, i), M.Load(ref a, i))), ref d, i);
        M.Store(last, ref d, end);
    }
}
