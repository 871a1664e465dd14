using System;
using System.Runtime.CompilerServices;

namespace FixedNet.Operators;

/// <summary>
/// A loss of one sample, defined once: <c>L = Reduce(Σ_k Term(z_k, o_k, t_k), n)</c> over the <c>n</c> outputs, and the
/// output delta <see cref="Delta"/>. Generated networks (unrolled code calls <see cref="Term"/> and <see cref="Delta"/>
/// per output, loop code calls <see cref="Losses"/>) and <see cref="ReferenceNetwork"/> both use it.
/// </summary>
public interface ILossOperator
{
    /// <summary>
    /// True when <see cref="Delta"/> is <c>∂L/∂z_k</c> itself: the loss is taken together with the output activation it
    /// requires (cross-entropy with softmax, binary cross-entropy with sigmoid). False when it is <c>∂L/∂o_k</c>, which
    /// the output activation's derivative then takes on to <c>∂L/∂z_k</c>.
    /// </summary>
    static abstract bool DeltaIsFused { get; }

    /// <summary>True when <see cref="Delta"/> reads <c>tsum = Σ_k t_k</c>.</summary>
    static abstract bool DeltaNeedsTargetSum { get; }

    /// <summary>True when <see cref="Term"/> reads the log-sum-exp of a softmax output.</summary>
    static abstract bool NeedsLogSumExp { get; }

    /// <summary>The term of one output: pre-activation <paramref name="z"/>, output <paramref name="o"/>, target <paramref name="t"/>, and <paramref name="lse"/> = log Σ e^z of a softmax output.</summary>
    static abstract float Term(float z, float o, float t, float lse);

    /// <summary>The loss from the sum of the <paramref name="n"/> terms.</summary>
    static abstract float Reduce(float sum, int n);

    /// <summary><c>∂L/∂z_k</c> (fused) or <c>∂L/∂o_k</c> of one output, with <paramref name="tsum"/> = Σ t over the sample.</summary>
    static abstract float Delta(float o, float t, float tsum, int n);
}

/// <summary><c>L = (1/n) Σ (o − t)²</c>, <c>∂L/∂o = 2(o − t)/n</c> (<c>torch.nn.MSELoss()</c>: https://pytorch.org/docs/stable/generated/torch.nn.MSELoss.html).</summary>
public readonly struct MeanSquaredErrorLoss : ILossOperator
{
#pragma warning disable CS1591
    public static bool DeltaIsFused => false;
    public static bool DeltaNeedsTargetSum => false;
    public static bool NeedsLogSumExp => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float z, float o, float t, float lse) => (o - t) * (o - t);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Reduce(float sum, int n) => sum / n;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Delta(float o, float t, float tsum, int n) => 2f / n * (o - t);
#pragma warning restore CS1591
}

/// <summary><c>L = ½ Σ (o − t)²</c>, <c>∂L/∂o = o − t</c>: the textbook form of the seed tutorials.</summary>
public readonly struct HalfSquaredErrorLoss : ILossOperator
{
#pragma warning disable CS1591
    public static bool DeltaIsFused => false;
    public static bool DeltaNeedsTargetSum => false;
    public static bool NeedsLogSumExp => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float z, float o, float t, float lse) => (o - t) * (o - t);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Reduce(float sum, int n) => 0.5f * sum;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Delta(float o, float t, float tsum, int n) => o - t;
#pragma warning restore CS1591
}

/// <summary>
/// <c>L = (1/n) Σ |o − t|</c>, <c>∂L/∂o = sign(o − t)/n</c> (0 where o = t, as torch.sign), as <c>torch.nn.L1Loss</c>
/// (https://pytorch.org/docs/stable/generated/torch.nn.L1Loss.html).
/// </summary>
public readonly struct L1Loss : ILossOperator
{
#pragma warning disable CS1591
    public static bool DeltaIsFused => false;
    public static bool DeltaNeedsTargetSum => false;
    public static bool NeedsLogSumExp => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float z, float o, float t, float lse) => MathF.Abs(o - t);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Reduce(float sum, int n) => sum / n;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Delta(float o, float t, float tsum, int n) => MathF.Sign(o - t) / (float)n;
#pragma warning restore CS1591
}

/// <summary>
/// <c>L = (1/n) Σ h(o − t)</c>, <c>h(d) = ½d²</c> for |d| &lt; 1, else <c>|d| − ½</c>; <c>∂L/∂o = clamp(o − t, −1, 1)/n</c>, as
/// <c>torch.nn.HuberLoss</c> with δ = 1 (https://pytorch.org/docs/stable/generated/torch.nn.HuberLoss.html).
/// </summary>
public readonly struct HuberLoss : ILossOperator
{
#pragma warning disable CS1591
    public static bool DeltaIsFused => false;
    public static bool DeltaNeedsTargetSum => false;
    public static bool NeedsLogSumExp => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float z, float o, float t, float lse)
    {
        float d = MathF.Abs(o - t);
        return d < 1f ? 0.5f * d * d : d - 0.5f;
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Reduce(float sum, int n) => sum / n;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Delta(float o, float t, float tsum, int n) => Math.Clamp(o - t, -1f, 1f) / n;
#pragma warning restore CS1591
}

/// <summary>
/// <c>L = −Σ t·log o</c> over a softmax output, with <c>log o_k = z_k − lse</c> exact even where <c>o_k</c> underflows;
/// with the softmax, <c>∂L/∂z_k = o_k·Σt − t_k</c> (= o_k − t_k for one-hot t)
/// (<c>torch.nn.CrossEntropyLoss</c> with probability targets: https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html).
/// </summary>
public readonly struct CrossEntropyLoss : ILossOperator
{
#pragma warning disable CS1591
    public static bool DeltaIsFused => true;
    public static bool DeltaNeedsTargetSum => true;
    public static bool NeedsLogSumExp => true;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float z, float o, float t, float lse) => -(t * (z - lse));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Reduce(float sum, int n) => sum;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Delta(float o, float t, float tsum, int n) => o * tsum - t;
#pragma warning restore CS1591
}

/// <summary>
/// <c>L = −(1/n) Σ [t·log o + (1 − t)·log(1 − o)]</c> over a sigmoid output <c>o = σ(z)</c>, computed from the logit z
/// with <c>log σ(z) = −softplus(−z)</c> and <c>log(1 − σ(z)) = log σ(−z)</c>: PyTorch's <c>BCEWithLogitsLoss</c> (mean
/// reduction, https://pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html), exact for every z, not
/// <c>BCELoss</c> on the rounded sigmoid, whose logs PyTorch floors at −100 (they agree wherever o is not rounded to 0 or 1).
/// With the sigmoid, <c>∂L/∂z = (o − t)/n</c>, which matches this loss everywhere: a saturated wrong output (z = 200, t = 0)
/// costs 200/n with gradient 1/n.
/// </summary>
public readonly struct BinaryCrossEntropyLoss : ILossOperator
{
#pragma warning disable CS1591
    public static bool DeltaIsFused => true;
    public static bool DeltaNeedsTargetSum => false;
    public static bool NeedsLogSumExp => false;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Term(float z, float o, float t, float lse) => -(t * LogSigmoid(z) + (1f - t) * LogSigmoid(-z));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Reduce(float sum, int n) => sum / n;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Delta(float o, float t, float tsum, int n) => (o - t) / n;
#pragma warning restore CS1591

    // log σ(z) = −softplus(−z) = −(max(−z, 0) + log(1 + e^(−|z|)))
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float LogSigmoid(float z) => -(MathF.Max(-z, 0f) + MathF.Log(1f + MathF.Exp(-MathF.Abs(z))));
}

/// <summary>A loss over a row of outputs, for the loop code and <see cref="ReferenceNetwork"/>.</summary>
public static class Losses
{
    /// <summary><c>L = Reduce(Σ_k Term(z_k, o_k, t_k, lse), n)</c>.</summary>
    public static float Loss<TLoss>(ReadOnlySpan<float> z, ReadOnlySpan<float> o, ReadOnlySpan<float> t, float lse) where TLoss : ILossOperator
    {
        float sum = 0f;
        for (int k = 0; k < o.Length; k++) sum += TLoss.Term(z[k], o[k], t[k], lse);
        return TLoss.Reduce(sum, o.Length);
    }

    /// <summary><c>d_k = Delta(o_k, t_k, Σt, n)</c>: ∂L/∂z when the loss is fused with its output activation, else ∂L/∂o.</summary>
    public static void Delta<TLoss>(ReadOnlySpan<float> o, ReadOnlySpan<float> t, Span<float> d) where TLoss : ILossOperator
    {
        float tsum = 0f;
        if (TLoss.DeltaNeedsTargetSum)
        {
            for (int k = 0; k < t.Length; k++) tsum += t[k];
        }
        for (int k = 0; k < o.Length; k++) d[k] = TLoss.Delta(o[k], t[k], tsum, o.Length);
    }
}
