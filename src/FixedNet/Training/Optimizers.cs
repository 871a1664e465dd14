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

/// <summary>
/// Plain stochastic gradient descent, <c>θ ← θ − η·(g + λθ)</c>, as torch.optim.SGD without momentum
/// (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html); λ is <c>weight_decay</c>, an L2 penalty added to
/// the gradient (0 by default, as in PyTorch).
/// </summary>
public sealed class Sgd : IOptimizer, IRangeOptimizer
{
    /// <summary>Creates the optimizer with L2 weight decay <paramref name="weightDecay"/> ≥ 0 (PyTorch's <c>weight_decay</c>).</summary>
    public Sgd(float weightDecay = 0f)
    {
        WeightDecay = CheckWeightDecay(weightDecay);
    }

    /// <summary>λ: the L2 penalty's coefficient, added to the gradient as λθ.</summary>
    public float WeightDecay { get; }

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

    void IRangeOptimizer.StepRange(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
    {
        if (WeightDecay == 0f)
        {
            VectorLoops.MultiplyAdd(gradient, -_rate, parameters, parameters);
            return;
        }
        float rate = _rate, decay = WeightDecay;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        int n = parameters.Length, k = 0;
        var vRate = Vector256.Create(rate);
        var vDecay = Vector256.Create(decay);
        for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
        {
            var pk = Vector256.LoadUnsafe(ref p, (nuint)k);
            (pk - vRate * (Vector256.LoadUnsafe(ref g, (nuint)k) + vDecay * pk)).StoreUnsafe(ref p, (nuint)k);
        }
        for (; k < n; k++) Unsafe.Add(ref p, k) -= rate * (Unsafe.Add(ref g, k) + decay * Unsafe.Add(ref p, k));
    }

    IRangeOptimizer IRangeOptimizer.Replicate() => new Sgd(WeightDecay);

    internal static void CheckLengths(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        if (gradient.Length != parameters.Length) ThrowHelper.ThrowLengthMismatch(nameof(gradient), parameters.Length, gradient.Length);
    }

    internal static float CheckWeightDecay(float weightDecay, string name = "weightDecay") =>
        weightDecay >= 0f && float.IsFinite(weightDecay) ? weightDecay
            : throw new ArgumentOutOfRangeException(name, weightDecay, "Weight decay must be a finite number ≥ 0.");

    // A momentum μ in [0, 1), for SgdMomentum and RmsProp.
    internal static float CheckMomentum(float momentum, string name = "momentum") =>
        momentum >= 0f && momentum < 1f ? momentum : throw new ArgumentOutOfRangeException(name, momentum, "Momentum must be in [0, 1).");
}

/// <summary>
/// SGD with momentum as torch.optim.SGD(momentum=μ, nesterov, weight_decay=λ)
/// (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html): <c>g ← g + λθ; v ← μ·v + g;</c> then
/// <c>θ ← θ − η·v</c>, or with Nesterov momentum <c>θ ← θ − η·(g + μ·v)</c>.
/// </summary>
public sealed class SgdMomentum : IOptimizer, IRangeOptimizer
{
    private float[] _velocity = [];

    /// <summary>Creates the optimizer with momentum <paramref name="momentum"/> in [0, 1), Nesterov's form or not, and L2 weight decay ≥ 0.</summary>
    /// <exception cref="ArgumentException"><paramref name="nesterov"/> with zero momentum (PyTorch refuses it too).</exception>
    public SgdMomentum(float momentum = 0.9f, bool nesterov = false, float weightDecay = 0f)
    {
        Momentum = Sgd.CheckMomentum(momentum);
        if (nesterov && momentum == 0f) throw new ArgumentException("Nesterov momentum needs a momentum above 0.", nameof(nesterov));
        Nesterov = nesterov;
        WeightDecay = Sgd.CheckWeightDecay(weightDecay);
    }

    /// <summary>The momentum μ.</summary>
    public float Momentum { get; }

    /// <summary>Nesterov's form: the step is <c>g + μ·v</c> instead of <c>v</c>.</summary>
    public bool Nesterov { get; }

    /// <summary>λ: the L2 penalty's coefficient, added to the gradient as λθ.</summary>
    public float WeightDecay { get; }

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
        if (WeightDecay == 0f && !Nesterov)
        {
            VectorLoops.MultiplyAdd(velocity, Momentum, gradient, velocity); // v = μv + g
            VectorLoops.MultiplyAdd(velocity, -_rate, parameters, parameters); // θ -= ηv
            return;
        }
        float rate = _rate, momentum = Momentum, decay = WeightDecay;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float gr = ref MemoryMarshal.GetReference(gradient);
        ref float ve = ref MemoryMarshal.GetReference(velocity);
        int n = parameters.Length, k = 0;
        var vRate = Vector256.Create(rate);
        var vMomentum = Vector256.Create(momentum);
        var vDecay = Vector256.Create(decay);
        for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
        {
            var pk = Vector256.LoadUnsafe(ref p, (nuint)k);
            var g = Vector256.LoadUnsafe(ref gr, (nuint)k) + vDecay * pk;           // g + λθ
            var v = vMomentum * Vector256.LoadUnsafe(ref ve, (nuint)k) + g;         // v = μv + g
            v.StoreUnsafe(ref ve, (nuint)k);
            (pk - vRate * (Nesterov ? g + vMomentum * v : v)).StoreUnsafe(ref p, (nuint)k);
        }
        for (; k < n; k++)
        {
            float g = Unsafe.Add(ref gr, k) + decay * Unsafe.Add(ref p, k);
            float v = Unsafe.Add(ref ve, k) = momentum * Unsafe.Add(ref ve, k) + g;
            Unsafe.Add(ref p, k) -= rate * (Nesterov ? g + momentum * v : v);
        }
    }

    IRangeOptimizer IRangeOptimizer.Replicate() => new SgdMomentum(Momentum, Nesterov, WeightDecay) { _velocity = (float[])_velocity.Clone() };
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
        : this(beta1, beta2, epsilon, decoupledWeightDecay: 0f)
    {
    }

    // AdamW's: Adam with the parameters scaled by 1 − ηλ before each update (λ = 0 scales by exactly 1).
    internal Adam(float beta1, float beta2, float epsilon, float decoupledWeightDecay)
    {
        DecoupledWeightDecay = decoupledWeightDecay;
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

    internal float DecoupledWeightDecay { get; }

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

    private float _stepSize, _inverseSqrtCorrection2, _decay;

    IRangeOptimizer IRangeOptimizer.Replicate() =>
        new Adam(Beta1, Beta2, Epsilon, DecoupledWeightDecay) { _m = (float[])_m.Clone(), _v = (float[])_v.Clone(), _t = _t };

    void IRangeOptimizer.BeginStep(float learningRate)
    {
        _t++;
        _stepSize = learningRate / (1f - MathF.Pow(Beta1, _t));
        _inverseSqrtCorrection2 = 1f / MathF.Sqrt(1f - MathF.Pow(Beta2, _t));
        _decay = 1f - learningRate * DecoupledWeightDecay;
    }

    void IRangeOptimizer.StepRange(Span<float> parameters, ReadOnlySpan<float> gradient, int offset) =>
        Update(parameters, gradient, _m.AsSpan(offset, parameters.Length), _v.AsSpan(offset, parameters.Length), Beta1, Beta2, Epsilon,
            _stepSize, _inverseSqrtCorrection2, _decay);

    /// <summary>
    /// Adam's update of one range, <c>θ ← θ·decay − (η/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε)</c> after the moments; decay is 1 for
    /// Adam (θ·1 is θ exactly) and 1 − ηλ for AdamW's decoupled weight decay, which torch.optim.AdamW applies first.
    /// </summary>
    private static void Update(Span<float> parameters, ReadOnlySpan<float> gradient, Span<float> moment1, Span<float> moment2,
        float b1, float b2, float epsilon, float stepSize, float inverseSqrtCorrection2, float decay)
    {
        ref float m = ref MemoryMarshal.GetReference(moment1);
        ref float v = ref MemoryMarshal.GetReference(moment2);
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
        var vEpsilon = Vector256.Create(epsilon);
        var vDecay = Vector256.Create(decay);
        for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
        {
            var g = Vector256.LoadUnsafe(ref gr, (nuint)k);
            var mk = vb1 * Vector256.LoadUnsafe(ref m, (nuint)k) + va1 * g;
            var vk = vb2 * Vector256.LoadUnsafe(ref v, (nuint)k) + va2 * g * g;
            mk.StoreUnsafe(ref m, (nuint)k);
            vk.StoreUnsafe(ref v, (nuint)k);
            var update = vStep * mk / (Vector256.Sqrt(vk) * vCorrection + vEpsilon);
            (Vector256.LoadUnsafe(ref p, (nuint)k) * vDecay - update).StoreUnsafe(ref p, (nuint)k);
        }
        for (; k < n; k++)
        {
            float g = Unsafe.Add(ref gr, k);
            float mk = Unsafe.Add(ref m, k) = b1 * Unsafe.Add(ref m, k) + (1f - b1) * g;
            float vk = Unsafe.Add(ref v, k) = b2 * Unsafe.Add(ref v, k) + (1f - b2) * g * g;
            Unsafe.Add(ref p, k) = Unsafe.Add(ref p, k) * decay - stepSize * mk / (MathF.Sqrt(vk) * inverseSqrtCorrection2 + epsilon);
        }
    }
}

/// <summary>
/// AdamW as torch.optim.AdamW (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html): weight decay
/// decoupled from the gradient, <c>θ ← θ − ηλθ</c>, then Adam's step from the moments of the gradient alone (the same
/// <see cref="Adam"/> update, with the decay folded in). PyTorch's defaults: λ = 0.01, β₁ = 0.9, β₂ = 0.999, ε = 1e−8.
/// </summary>
public sealed class AdamW : IOptimizer, IRangeOptimizer
{
    private readonly Adam _adam;

    /// <summary>Creates the optimizer with decoupled weight decay <paramref name="weightDecay"/> ≥ 0 and Adam's moments.</summary>
    public AdamW(float weightDecay = 0.01f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
        : this(new Adam(beta1, beta2, epsilon, Sgd.CheckWeightDecay(weightDecay)))
    {
    }

    private AdamW(Adam adam) => _adam = adam;

    /// <summary>λ: each step first scales the parameters by 1 − ηλ.</summary>
    public float WeightDecay => _adam.DecoupledWeightDecay;

    /// <summary>Decay of the first moment.</summary>
    public float Beta1 => _adam.Beta1;

    /// <summary>Decay of the second moment.</summary>
    public float Beta2 => _adam.Beta2;

    /// <summary>Added to √v̂ to avoid division by zero.</summary>
    public float Epsilon => _adam.Epsilon;

    /// <summary>Number of steps taken since <see cref="Initialize"/>.</summary>
    public int StepCount => _adam.StepCount;

    /// <inheritdoc/>
    public void Initialize(int parameterCount) => _adam.Initialize(parameterCount);

    /// <inheritdoc/>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate) => _adam.Step(parameters, gradient, learningRate);

    void IRangeOptimizer.BeginStep(float learningRate) => ((IRangeOptimizer)_adam).BeginStep(learningRate);

    void IRangeOptimizer.StepRange(Span<float> parameters, ReadOnlySpan<float> gradient, int offset) => ((IRangeOptimizer)_adam).StepRange(parameters, gradient, offset);

    IRangeOptimizer IRangeOptimizer.Replicate() => new AdamW((Adam)((IRangeOptimizer)_adam).Replicate());
}

/// <summary>
/// RMSprop as torch.optim.RMSprop, not centered (https://pytorch.org/docs/stable/generated/torch.optim.RMSprop.html):
/// <c>g ← g + λθ; v ← αv + (1−α)g²;</c> then <c>θ ← θ − η·g/(√v + ε)</c>, or with momentum μ
/// <c>b ← μb + g/(√v + ε); θ ← θ − η·b</c>. PyTorch's defaults: α = 0.99, ε = 1e−8, μ = 0, λ = 0 (and η = 0.01).
/// </summary>
public sealed class RmsProp : IOptimizer, IRangeOptimizer
{
    private float[] _square = [];
    private float[] _buffer = [];
    private float _rate;

    /// <summary>Creates the optimizer: smoothing <paramref name="alpha"/> in [0, 1), ε &gt; 0, momentum in [0, 1), L2 weight decay ≥ 0.</summary>
    public RmsProp(float alpha = 0.99f, float epsilon = 1e-8f, float momentum = 0f, float weightDecay = 0f)
    {
        if (!(alpha >= 0f && alpha < 1f)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be in [0, 1).");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive.");
        Alpha = alpha;
        Epsilon = epsilon;
        Momentum = Sgd.CheckMomentum(momentum);
        WeightDecay = Sgd.CheckWeightDecay(weightDecay);
    }

    /// <summary>α: the smoothing of the mean square.</summary>
    public float Alpha { get; }

    /// <summary>Added to √v to avoid division by zero.</summary>
    public float Epsilon { get; }

    /// <summary>μ: the momentum of the scaled step (0: none).</summary>
    public float Momentum { get; }

    /// <summary>λ: the L2 penalty's coefficient, added to the gradient as λθ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public void Initialize(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parameterCount);
        _square = new float[parameterCount];
        _buffer = Momentum > 0f ? new float[parameterCount] : [];
    }

    /// <inheritdoc/>
    public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate)
    {
        Sgd.CheckLengths(parameters, gradient);
        if (_square.Length != parameters.Length) throw new InvalidOperationException("Call Initialize with the parameter count before Step.");
        ((IRangeOptimizer)this).BeginStep(learningRate);
        ((IRangeOptimizer)this).StepRange(parameters, gradient, 0);
    }

    void IRangeOptimizer.BeginStep(float learningRate) => _rate = learningRate;

    void IRangeOptimizer.StepRange(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
    {
        var square = _square.AsSpan(offset, parameters.Length);
        var buffer = Momentum > 0f ? _buffer.AsSpan(offset, parameters.Length) : default;
        float rate = _rate, alpha = Alpha, epsilon = Epsilon, momentum = Momentum, decay = WeightDecay;
        ref float p = ref MemoryMarshal.GetReference(parameters);
        ref float gr = ref MemoryMarshal.GetReference(gradient);
        ref float sq = ref MemoryMarshal.GetReference(square);
        ref float b = ref MemoryMarshal.GetReference(buffer);
        int n = parameters.Length, k = 0;
        var vRate = Vector256.Create(rate);
        var vAlpha = Vector256.Create(alpha);
        var vRest = Vector256.Create(1f - alpha);
        var vEpsilon = Vector256.Create(epsilon);
        var vMomentum = Vector256.Create(momentum);
        var vDecay = Vector256.Create(decay);
        for (; k <= n - Vector256<float>.Count; k += Vector256<float>.Count)
        {
            var pk = Vector256.LoadUnsafe(ref p, (nuint)k);
            var g = Vector256.LoadUnsafe(ref gr, (nuint)k) + vDecay * pk;              // g + λθ
            var v = vAlpha * Vector256.LoadUnsafe(ref sq, (nuint)k) + vRest * g * g;  // v = αv + (1−α)g²
            v.StoreUnsafe(ref sq, (nuint)k);
            var scaled = g / (Vector256.Sqrt(v) + vEpsilon);
            if (momentum > 0f)
            {
                scaled = vMomentum * Vector256.LoadUnsafe(ref b, (nuint)k) + scaled;   // b = μb + g/(√v + ε)
                scaled.StoreUnsafe(ref b, (nuint)k);
            }
            (pk - vRate * scaled).StoreUnsafe(ref p, (nuint)k);
        }
        for (; k < n; k++)
        {
            float g = Unsafe.Add(ref gr, k) + decay * Unsafe.Add(ref p, k);
            float v = Unsafe.Add(ref sq, k) = alpha * Unsafe.Add(ref sq, k) + (1f - alpha) * g * g;
            float scaled = g / (MathF.Sqrt(v) + epsilon);
            if (momentum > 0f) scaled = Unsafe.Add(ref b, k) = momentum * Unsafe.Add(ref b, k) + scaled;
            Unsafe.Add(ref p, k) -= rate * scaled;
        }
    }

    IRangeOptimizer IRangeOptimizer.Replicate() =>
        new RmsProp(Alpha, Epsilon, Momentum, WeightDecay) { _square = (float[])_square.Clone(), _buffer = (float[])_buffer.Clone() };
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
