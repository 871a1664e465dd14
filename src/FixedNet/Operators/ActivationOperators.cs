using System.Runtime.CompilerServices;

namespace FixedNet.Operators;

/// <summary>
/// An element-wise function, written once over <see cref="IVectorMath{T}"/> so that the same definition runs on single
/// floats and on 128-, 256- and 512-bit vectors (see <see cref="Activations"/> for the calls and loops).
/// </summary>
public interface IUnaryOperator
{
    /// <summary><c>f(x)</c> in every lane.</summary>
    static abstract T Invoke<T, M>(T x) where T : struct where M : IVectorMath<T>;
}

/// <summary>
/// An activation: its function <c>a = f(z)</c> and its derivative <c>f′(z)</c>, which each operator computes from
/// <c>z</c>, from <c>a</c>, or from both. One struct is the one definition of an activation's math: generated networks
/// and <see cref="ReferenceNetwork"/> both call it.
/// </summary>
public interface IActivationOperator : IUnaryOperator
{
    /// <summary>
    /// True when <see cref="Derivative"/> reads <c>z</c>; false when it needs only the output <c>a</c>, so that callers
    /// need not keep <c>z</c> (they may pass <c>a</c> in its place).
    /// </summary>
    static abstract bool DerivativeNeedsZ { get; }

    /// <summary><c>f′(z)</c> in every lane, given <c>z</c> and <c>a = f(z)</c>.</summary>
    static abstract T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T>;
}

/// <summary><c>a = z</c>; <c>f′ = 1</c>.</summary>
public readonly struct IdentityOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static bool DerivativeNeedsZ => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T z) where T : struct where M : IVectorMath<T> => z;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T> => M.Create(1f);
}

/// <summary><c>a = 1 / (1 + e^(−z))</c>; <c>f′ = a(1 − a)</c> (<c>torch.nn.Sigmoid</c>).</summary>
public readonly struct SigmoidOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static bool DerivativeNeedsZ => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T z) where T : struct where M : IVectorMath<T> =>
        M.Divide(M.Create(1f), M.Add(M.Create(1f), M.Exp(M.Negate(z))));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T> => M.Multiply(a, M.Subtract(M.Create(1f), a));
}

/// <summary><c>a = tanh z</c>; <c>f′ = 1 − a²</c> (<c>torch.nn.Tanh</c>).</summary>
public readonly struct TanhOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static bool DerivativeNeedsZ => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T z) where T : struct where M : IVectorMath<T> => M.Tanh(z);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T> => M.Subtract(M.Create(1f), M.Multiply(a, a));
}

/// <summary>
/// <c>a = max(0, z)</c>: <c>z</c> where <c>z &gt; 0</c>, else +0 (NaN included); <c>f′ = 1</c> where <c>a &gt; 0</c>,
/// else 0 (<c>torch.nn.ReLU</c>). A compare mask and a select, never a jump: whether a unit fires is a coin toss, and a
/// branch there was mispredicted about half the time (about 15 % of a 784-128 batch forward pass on Zen 3).
/// </summary>
public readonly struct ReLUOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static bool DerivativeNeedsZ => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T z) where T : struct where M : IVectorMath<T> =>
        M.Select(M.GreaterThan(z, M.Create(0f)), z, M.Create(0f));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T> =>
        M.Select(M.GreaterThan(a, M.Create(0f)), M.Create(1f), M.Create(0f));
}

/// <summary>
/// <c>a = z</c> where <c>z &gt; 0</c>, else <c>0.01·z</c>; <c>f′ = 1</c> where <c>a &gt; 0</c>, else 0.01
/// (<c>torch.nn.LeakyReLU</c> with its default slope).
/// </summary>
public readonly struct LeakyReLUOperator : IActivationOperator
{
    /// <summary>The slope for negative inputs, PyTorch's default <c>negative_slope</c>.</summary>
    public const float Slope = 0.01f;

    /// <inheritdoc/>
    public static bool DerivativeNeedsZ => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T z) where T : struct where M : IVectorMath<T> =>
        M.Select(M.GreaterThan(z, M.Create(0f)), z, M.Multiply(M.Create(Slope), z));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T> =>
        M.Select(M.GreaterThan(a, M.Create(0f)), M.Create(1f), M.Create(Slope));
}

/// <summary>
/// Exact GELU, <c>a = z·Φ(z) = ½·z·(1 + erf(z/√2))</c>; <c>f′ = Φ(z) + z·φ(z)</c> with <c>φ(z) = e^(−z²/2)/√(2π)</c>
/// (<c>torch.nn.GELU()</c>, approximate='none': https://pytorch.org/docs/stable/generated/torch.nn.GELU.html).
/// </summary>
public readonly struct GeluOperator : IActivationOperator
{
    private const float InvSqrt2 = 0.70710678118654752f;
    private const float InvSqrt2Pi = 0.39894228040143268f;

    /// <inheritdoc/>
    public static bool DerivativeNeedsZ => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T z) where T : struct where M : IVectorMath<T> => M.Multiply(z, Phi<T, M>(z));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T>
    {
        T density = M.Multiply(M.Create(InvSqrt2Pi), M.Exp(M.Multiply(M.Create(-0.5f), M.Multiply(z, z))));
        return M.MultiplyAdd(z, density, Phi<T, M>(z));
    }

    // Φ(z) = ½(1 + erf(z/√2)), the standard normal distribution function
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Phi<T, M>(T z) where T : struct where M : IVectorMath<T> =>
        M.MultiplyAdd(M.Create(0.5f), VectorFormulas.Erf<T, M>(M.Multiply(z, M.Create(InvSqrt2))), M.Create(0.5f));
}

/// <summary>
/// SiLU (swish), <c>a = z·σ(z)</c>; <c>f′ = σ(z)·(1 + z·(1 − σ(z)))</c>
/// (<c>torch.nn.SiLU</c>: https://pytorch.org/docs/stable/generated/torch.nn.SiLU.html).
/// </summary>
public readonly struct SiLUOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static bool DerivativeNeedsZ => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T z) where T : struct where M : IVectorMath<T> => M.Multiply(z, SigmoidOperator.Invoke<T, M>(z));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T>
    {
        T s = SigmoidOperator.Invoke<T, M>(z);
        return M.Multiply(s, M.MultiplyAdd(z, M.Subtract(M.Create(1f), s), M.Create(1f)));
    }
}

/// <summary>
/// ELU with α = 1, <c>a = z</c> where <c>z &gt; 0</c>, else <c>e^z − 1</c>; <c>f′ = 1</c> where <c>a &gt; 0</c>, else
/// <c>a + 1</c> (= e^z) (<c>torch.nn.ELU()</c>: https://pytorch.org/docs/stable/generated/torch.nn.ELU.html).
/// <c>e^z − 1</c> is computed as <c>2t / (1 − t)</c> with <c>t = tanh(z/2)</c>, which keeps its digits near 0 where the
/// subtraction would lose them.
/// </summary>
public readonly struct EluOperator : IActivationOperator
{
    /// <inheritdoc/>
    public static bool DerivativeNeedsZ => false;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T z) where T : struct where M : IVectorMath<T>
    {
        T t = M.Tanh(M.Multiply(M.Create(0.5f), z));
        T expm1 = M.Divide(M.Add(t, t), M.Subtract(M.Create(1f), t));
        return M.Select(M.GreaterThan(z, M.Create(0f)), z, expm1);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T> =>
        M.Select(M.GreaterThan(a, M.Create(0f)), M.Create(1f), M.Add(a, M.Create(1f)));
}

/// <summary>
/// Softplus with β = 1 and threshold 20, <c>a = log(1 + e^z)</c>, and <c>a = z</c> above the threshold; <c>f′ = σ(z)</c>,
/// and 1 above the threshold (<c>torch.nn.Softplus()</c>: https://pytorch.org/docs/stable/generated/torch.nn.Softplus.html).
/// Computed as <c>max(z, 0) + log1p(e^(−|z|))</c>, which neither overflows nor loses the small values of very negative z.
/// </summary>
public readonly struct SoftplusOperator : IActivationOperator
{
    /// <summary>Above this input, softplus is the identity (PyTorch's default <c>threshold</c>).</summary>
    public const float Threshold = 20f;

    /// <inheritdoc/>
    public static bool DerivativeNeedsZ => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T z) where T : struct where M : IVectorMath<T>
    {
        T u = M.Exp(M.Negate(M.Abs(z)));   // in (0, 1]
        // log1p(u) = log(w)·u/(w − 1) with w = 1 + u (Goldberg), and u itself where w rounds to 1
        T w = M.Add(M.Create(1f), u);
        T log1p = M.Select(M.GreaterThan(w, M.Create(1f)), M.Divide(M.Multiply(M.Log(w), u), M.Subtract(w, M.Create(1f))), u);
        T soft = M.Add(M.Max(z, M.Create(0f)), log1p);
        return M.Select(M.GreaterThan(z, M.Create(Threshold)), z, soft);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Derivative<T, M>(T z, T a) where T : struct where M : IVectorMath<T> =>
        M.Select(M.GreaterThan(z, M.Create(Threshold)), M.Create(1f), SigmoidOperator.Invoke<T, M>(z));
}

/// <summary><c>e^x</c>, for the softmax.</summary>
public readonly struct ExpOperator : IUnaryOperator
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Invoke<T, M>(T x) where T : struct where M : IVectorMath<T> => M.Exp(x);
}
