using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FixedNet.Runtime;

namespace FixedNet.Training;

/// <summary>
/// Updates parameters from a gradient. State (momentum, Adam moments) is allocated once by <see cref="Initialize"/>
/// and reused, so <see cref="Step"/> allocates nothing.
/// </summary>
public interface IOptimizer
{
    /// <summary>Allocates and zeroes the state for <paramref name="parameterCount"/> parameters; called once before training.</summary>
    void Initialize(int parameterCount);

    /// <summary>Applies one update to <paramref name="parameters"/> from <paramref name="gradient"/> with the given learning rate.</summary>
    void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate);
}

/// <summary>Plain stochastic gradient descent, <c>θ ← θ − η·g</c> (torch.optim.SGD without momentum).</summary>
public sealed class Sgd : IOptimizer, IRangeOptimizer
{
    /// <inheritdoc/>
    public void Initialize(int parameterCount) => ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parameterCount);

    private float _rate;

    /// <inheritdoc/>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate)
    {
        CheckLengths(parameters, gradient);
        ((IRangeOptimizer)this).BeginStep(learningRate);
        ((IRangeOptimizer)this).StepRange(parameters, gradient, 0);
    }

    void IRangeOptimizer.BeginStep(float learningRate) => _rate = learningRate;

    void IRangeOptimizer.StepRange(Span<float> parameters, ReadOnlySpan<float> gradient, int offset) =>
        TensorPrimitives.MultiplyAdd(gradient, -_rate, parameters, parameters);

    IRangeOptimizer IRangeOptimizer.Replicate() => new Sgd();

    internal static void CheckLengths(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        if (gradient.Length != parameters.Length) ThrowHelper.ThrowLengthMismatch(nameof(gradient), parameters.Length, gradient.Length);
    }
}

/// <summary>SGD with momentum as torch.optim.SGD(momentum=μ): <c>v ← μ·v + g; θ ← θ − η·v</c>.</summary>
public sealed class SgdMomentum : IOptimizer, IRangeOptimizer
{
    private float[] _velocity = [];

    /// <summary>Creates the optimizer with momentum <paramref name="momentum"/> in [0, 1).</summary>
    public SgdMomentum(float momentum = 0.9f)
    {
        if (!(momentum >= 0f && momentum < 1f)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        Momentum = momentum;
    }

    /// <summary>The momentum μ.</summary>
    public float Momentum { get; }

    /// <inheritdoc/>
    public void Initialize(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parameterCount);
        _velocity = new float[parameterCount];
    }

    private float _rate;

    /// <inheritdoc/>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate)
    {
        Sgd.CheckLengths(parameters, gradient);
        if (_velocity.Length != parameters.Length) throw new InvalidOperationException("Call Initialize with the parameter count before Step.");
        ((IRangeOptimizer)this).BeginStep(learningRate);
        ((IRangeOptimizer)this).StepRange(parameters, gradient, 0);
    }

    void IRangeOptimizer.BeginStep(float learningRate) => _rate = learningRate;

    void IRangeOptimizer.StepRange(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
    {
        var velocity = _velocity.AsSpan(offset, parameters.Length);
        TensorPrimitives.MultiplyAdd(velocity, Momentum, gradient, velocity);   // v = μv + g
        TensorPrimitives.MultiplyAdd(velocity, -_rate, parameters, parameters); // θ -= ηv
    }

    IRangeOptimizer IRangeOptimizer.Replicate() => new SgdMomentum(Momentum) { _velocity = (float[])_velocity.Clone() };
}

/// <summary>
/// Adam as torch.optim.Adam: <c>m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − η·m̂/(√v̂ + ε)</c> with
/// bias corrections <c>m̂ = m/(1−β₁ᵗ)</c>, <c>v̂ = v/(1−β₂ᵗ)</c>.
/// </summary>
public sealed class Adam : IOptimizer, IRangeOptimizer
{
    private float[] _m = [];
    private float[] _v = [];
    private int _t;

    /// <summary>Creates the optimizer (PyTorch's defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e−8).</summary>
    public Adam(float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β₁ must be in [0, 1).");
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β₂ must be in [0, 1).");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 { get; }

    /// <summary>Added to √v̂ to avoid division by zero.</summary>
    public float Epsilon { get; }

    /// <summary>Number of steps taken since <see cref="Initialize"/>.</summary>
    public int StepCount => _t;

    /// <inheritdoc/>
    public void Initialize(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parameterCount);
        _m = new float[parameterCount];
        _v = new float[parameterCount];
        _t = 0;
    }

    /// <inheritdoc/>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate)
    {
        Sgd.CheckLengths(parameters, gradient);
        if (_m.Length != parameters.Length) throw new InvalidOperationException("Call Initialize with the parameter count before Step.");
        ((IRangeOptimizer)this).BeginStep(learningRate);
        ((IRangeOptimizer)this).StepRange(parameters, gradient, 0);
    }

    private float _stepSize, _inverseSqrtCorrection2;

    IRangeOptimizer IRangeOptimizer.Replicate() =>
        new Adam(Beta1, Beta2, Epsilon) { _m = (float[])_m.Clone(), _v = (float[])_v.Clone(), _t = _t };

    void IRangeOptimizer.BeginStep(float learningRate)
    {
        _t++;
        _stepSize = learningRate / (1f - MathF.Pow(Beta1, _t));
        _inverseSqrtCorrection2 = 1f / MathF.Sqrt(1f - MathF.Pow(Beta2, _t));
    }

    void IRangeOptimizer.StepRange(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
    {
        float b1 = Beta1, b2 = Beta2;
        float stepSize = _stepSize;
        float inverseSqrtCorrection2 = _inverseSqrtCorrection2;
        ref float m = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_m), offset);
        ref float v = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_v), offset);
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float gr = ref MemoryMarshal.GetReference(gradient);
        int n = parameters.Length, k = 0;
        // θ −= (η/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε), the form torch.optim.Adam uses; 8 parameters per step.
        var vb1 = Vector256.Create(b1);
        var vb2 = Vector256.Create(b2);
        var va1 = Vector256.Create(1f - b1);
        var va2 = Vector256.Create(1f - b2);
        var vStep = Vector256.Create(stepSize);
        var vCorrection = Vector256.Create(inverseSqrtCorrection2);
        var vEpsilon = Vector256.Create(Epsilon);
        for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
        {
            var g = Vector256.LoadUnsafe(ref gr, (nuint)k);
            var mk = vb1 * Vector256.LoadUnsafe(ref m, (nuint)k) + va1 * g;
            var vk = vb2 * Vector256.LoadUnsafe(ref v, (nuint)k) + va2 * g * g;
            mk.StoreUnsafe(ref m, (nuint)k);
            vk.StoreUnsafe(ref v, (nuint)k);
            var update = vStep * mk / (Vector256.Sqrt(vk) * vCorrection + vEpsilon);
            (Vector256.LoadUnsafe(ref p, (nuint)k) - update).StoreUnsafe(ref p, (nuint)k);
        }
        for (; k < n; k++)
        {
            float g = Unsafe.Add(ref gr, k);
            float mk = Unsafe.Add(ref m, k) = b1 * Unsafe.Add(ref m, k) + (1f - b1) * g;
            float vk = Unsafe.Add(ref v, k) = b2 * Unsafe.Add(ref v, k) + (1f - b2) * g * g;
            Unsafe.Add(ref p, k) -= stepSize * mk / (MathF.Sqrt(vk) * inverseSqrtCorrection2 + Epsilon);
        }
    }
}

/// <summary>
/// An optimizer whose update is element-wise and whose state can be replicated: <see cref="Trainer{TNetwork}"/>'s
/// data-parallel step gives every worker its own replica, which updates that worker's copy of the parameters from the
/// same gradient to the same bits. <see cref="BeginStep"/> once per step (step counters, bias corrections), then
/// <see cref="StepRange"/> over ranges that together cover the parameters. <see cref="IOptimizer.Step"/> is the same
/// two calls over the whole range, so both give the same bits.
/// </summary>
internal interface IRangeOptimizer
{
    void BeginStep(float learningRate);

    /// <summary>Updates <paramref name="parameters"/>, the range that starts at <paramref name="offset"/> of the full vector, from the same range of the gradient.</summary>
    void StepRange(Span<float> parameters, ReadOnlySpan<float> gradient, int offset);

    /// <summary>A new optimizer with the same settings and a copy of this one's state: it takes the same steps to the same bits.</summary>
    IRangeOptimizer Replicate();
}
