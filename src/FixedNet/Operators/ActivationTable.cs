using System;
using System.Runtime.InteropServices;

namespace FixedNet.Operators;

/// <summary>
/// What the library needs to know of each <see cref="Activation"/> at run time, one line per activation in
/// <see cref="Of"/>'s table: its operator, how its weights are initialized and its ONNX operator. The math itself is the
/// operator's; this class only dispatches to it.
/// </summary>
internal abstract class ActivationInfo
{
    private static readonly ActivationInfo[] s_table =
    [
        //                                 enum value              He init  ONNX operator
        new ElementWise<IdentityOperator>(Activation.Identity, false, null),
        new ElementWise<SigmoidOperator>(Activation.Sigmoid, false, "Sigmoid"),
        new ElementWise<TanhOperator>(Activation.Tanh, false, "Tanh"),
        new ElementWise<ReLUOperator>(Activation.ReLU, true, "Relu"),
        new ElementWise<LeakyReLUOperator>(Activation.LeakyReLU, true, "LeakyRelu"),
        new SoftmaxInfo(),
        new ElementWise<GeluOperator>(Activation.GELU, true, null),
        new ElementWise<SiLUOperator>(Activation.SiLU, true, null),
        new ElementWise<EluOperator>(Activation.ELU, true, "Elu"),
        new ElementWise<SoftplusOperator>(Activation.Softplus, true, "Softplus"),
    ];

    protected ActivationInfo(Activation activation, bool heInitialization, string? onnxOperator)
    {
        Activation = activation;
        HeInitialization = heInitialization;
        OnnxOperator = onnxOperator;
    }

    /// <summary>The activation's line of the table.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is not a defined value.</exception>
    public static ActivationInfo Of(Activation activation)
    {
        var table = s_table;
        if ((uint)activation >= (uint)table.Length) throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        return table[(int)activation];
    }

    /// <summary>Every line, in the order of the enum.</summary>
    public static ReadOnlySpan<ActivationInfo> All => s_table;

    public Activation Activation { get; }

    /// <summary>He-uniform weights, <c>U(±√(6/fan_in))</c>, for ReLU-like activations; else Glorot-uniform, <c>U(±√(6/(fan_in + fan_out)))</c>.</summary>
    public bool HeInitialization { get; }

    /// <summary>The ONNX operator that follows the layer's Gemm; null for none (identity).</summary>
    public string? OnnxOperator { get; }

    /// <summary>True when the derivative reads <c>z</c>, so <c>z</c> must be kept beside <c>a</c>.</summary>
    public abstract bool DerivativeNeedsZ { get; }

    /// <summary><c>a = f(z)</c> over a row (the two must not overlap); returns the log-sum-exp for a softmax, else 0.</summary>
    public abstract float Forward(ReadOnlySpan<float> z, Span<float> a);

    /// <summary>Takes <paramref name="d"/> from ∂L/∂a to ∂L/∂z, in place.</summary>
    public abstract void Backward(ReadOnlySpan<float> z, ReadOnlySpan<float> a, Span<float> d);

    private sealed class ElementWise<TOp>(Activation activation, bool he, string? onnx) : ActivationInfo(activation, he, onnx)
        where TOp : IActivationOperator
    {
        public override bool DerivativeNeedsZ => TOp.DerivativeNeedsZ;

        public override float Forward(ReadOnlySpan<float> z, Span<float> a)
        {
            Activations.Apply<TOp>(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(a), a.Length);
            return 0f;
        }

        public override void Backward(ReadOnlySpan<float> z, ReadOnlySpan<float> a, Span<float> d) =>
            Activations.MultiplyDerivative<TOp>(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(d), d.Length);
    }

    private sealed class SoftmaxInfo() : ActivationInfo(Activation.Softmax, false, "Softmax")
    {
        public override bool DerivativeNeedsZ => false;

        public override float Forward(ReadOnlySpan<float> z, Span<float> a) => Softmax.Forward(z, a);

        public override void Backward(ReadOnlySpan<float> z, ReadOnlySpan<float> a, Span<float> d) => Softmax.Backward(a, d, d);
    }
}

/// <summary>Each <see cref="Loss"/>'s operator, one line per loss, for code that knows the loss only at run time.</summary>
internal abstract class LossInfo
{
    private static readonly LossInfo[] s_table =
    [
        new Of<MeanSquaredErrorLoss>(),
        new Of<HalfSquaredErrorLoss>(),
        new Of<CrossEntropyLoss>(),
        new Of<BinaryCrossEntropyLoss>(),
        new Of<L1Loss>(),
        new Of<HuberLoss>(),
    ];

    /// <summary>The loss's line of the table.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="loss"/> is not a defined value.</exception>
    public static LossInfo For(Loss loss)
    {
        var table = s_table;
        if ((uint)loss >= (uint)table.Length) throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss.");
        return table[(int)loss];
    }

    /// <summary>See <see cref="ILossOperator.DeltaIsFused"/>.</summary>
    public abstract bool DeltaIsFused { get; }

    /// <summary>The loss of one sample; see <see cref="Losses.Loss{TLoss}"/>.</summary>
    public abstract float Loss(ReadOnlySpan<float> z, ReadOnlySpan<float> o, ReadOnlySpan<float> t, float lse);

    /// <summary>The output delta; see <see cref="Losses.Delta{TLoss}"/>.</summary>
    public abstract void Delta(ReadOnlySpan<float> o, ReadOnlySpan<float> t, Span<float> d);

    private sealed class Of<TLoss> : LossInfo where TLoss : ILossOperator
    {
        public override bool DeltaIsFused => TLoss.DeltaIsFused;

        public override float Loss(ReadOnlySpan<float> z, ReadOnlySpan<float> o, ReadOnlySpan<float> t, float lse) => Losses.Loss<TLoss>(z, o, t, lse);

        public override void Delta(ReadOnlySpan<float> o, ReadOnlySpan<float> t, Span<float> d) => Losses.Delta<TLoss>(o, t, d);
    }
}
