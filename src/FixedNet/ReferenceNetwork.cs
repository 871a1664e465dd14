using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using FixedNet.Operators;
using FixedNet.Runtime;

namespace FixedNet;

/// <summary>How <see cref="ReferenceNetwork"/> computes its dot products and vector updates.</summary>
public enum ReferenceKernel
{
    /// <summary>Plain scalar loops: the clearest statement of the math, used as the test oracle.</summary>
    Scalar,
    /// <summary><see cref="TensorPrimitives"/> (SIMD) for dot products and updates: a fair generic baseline for speed.</summary>
    TensorPrimitives,
}

/// <summary>
/// A multilayer perceptron whose shape is known only at run time. It has the same parameter layout, initialization
/// and math as generated networks, so it serves as their oracle in tests and as a generic baseline in benchmarks.
/// </summary>
public sealed class ReferenceNetwork : INetwork
{
    private readonly LayerSpec[] _layers;
    private readonly float[] _parameters;
    private readonly ActivationInfo[] _activationInfo; // each layer's activation operator
    private readonly LossInfo _loss;                   // the loss operator
    private readonly float[][] _activations; // output a of each layer
    private readonly float[][] _preActivations; // z of each layer
    private readonly float[][] _deltas;      // ∂L/∂z of each layer
    private readonly float[]?[] _kept;       // in training, a·m after the layer's dropout (null: no dropout)
    private readonly float[]?[] _masks;      // and its mask m
    private ulong _dropoutState;             // the position of the next sample's dropout masks (Operators.Dropout)
    private float _outputLogSumExp;          // log Σ e^z of a softmax output, from Softmax.Forward
    private readonly float[] _gradient;      // scratch for TrainStep and batches
    private readonly ReferenceKernel _kernel;

    /// <summary>Creates a network for <paramref name="architecture"/> with all parameters zero.</summary>
    public ReferenceNetwork(NetworkArchitecture architecture, ReferenceKernel kernel = ReferenceKernel.Scalar)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        Architecture = architecture;
        _kernel = kernel;
        _layers = new LayerSpec[architecture.Layers.Count];
        for (int l = 0; l < _layers.Length; l++) _layers[l] = architecture.Layers[l];
        _parameters = new float[architecture.ParameterCount];
        _gradient = new float[architecture.ParameterCount];
        ParameterInitializer.Initialize(architecture, _parameters, ParameterInitializer.DefaultSeed);
        _activationInfo = new ActivationInfo[_layers.Length];
        _loss = LossInfo.For(architecture.Loss);
        _activations = new float[_layers.Length][];
        _preActivations = new float[_layers.Length][];
        _deltas = new float[_layers.Length][];
        _kept = new float[_layers.Length][];
        _masks = new float[_layers.Length][];
        _dropoutState = Dropout.InitialState(ParameterInitializer.DefaultSeed);
        for (int l = 0; l < _layers.Length; l++)
        {
            _activationInfo[l] = ActivationInfo.Of(_layers[l].Activation);
            _activations[l] = new float[_layers[l].Size];
            _preActivations[l] = new float[_layers[l].Size];
            _deltas[l] = new float[_layers[l].Size];
            if (_layers[l].Dropout > 0f)
            {
                _kept[l] = new float[_layers[l].Size];
                _masks[l] = new float[_layers[l].Size];
            }
        }
    }

    /// <summary>Creates a network from an input size, layers and loss.</summary>
    public ReferenceNetwork(int inputSize, IReadOnlyList<(int Size, Activation Activation)> layers, Loss loss = Loss.MeanSquaredError,
        ReferenceKernel kernel = ReferenceKernel.Scalar)
        : this(new NetworkArchitecture(inputSize, layers, loss), kernel)
    {
    }

    /// <inheritdoc/>
    public NetworkArchitecture Architecture { get; }

    /// <inheritdoc/>
    public int InputSize => Architecture.InputSize;

    /// <inheritdoc/>
    public int OutputSize => Architecture.OutputSize;

    /// <inheritdoc/>
    public int ParameterCount => Architecture.ParameterCount;

    /// <inheritdoc/>
    public Span<float> Parameters => _parameters;

    /// <inheritdoc/>
    public void InitializeParameters(int seed)
    {
        ParameterInitializer.Initialize(Architecture, _parameters, seed);
        if (Architecture.HasDropout) _dropoutState = Dropout.InitialState(seed);
    }

    /// <inheritdoc/>
    public ulong DropoutState
    {
        get => Architecture.HasDropout ? _dropoutState : 0;
        set
        {
            if (Architecture.HasDropout) _dropoutState = value;
        }
    }

    /// <summary>A new network of the same architecture and kernel with equal parameters and its own scratch buffers (one per thread).</summary>
    public ReferenceNetwork Clone()
    {
        var clone = new ReferenceNetwork(Architecture, _kernel);
        _parameters.CopyTo(clone._parameters, 0);
        clone._dropoutState = _dropoutState;
        return clone;
    }

    INetwork INetwork.Clone() => Clone();

    /// <inheritdoc/>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        CheckLength(input, InputSize, nameof(input));
        if (output.Length != OutputSize) ThrowHelper.ThrowLengthMismatch(nameof(output), OutputSize, output.Length);
        RunForward(input);
        _activations[^1].CopyTo(output);
    }

    /// <inheritdoc/>
    public float ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<float> target)
    {
        CheckLength(input, InputSize, nameof(input));
        CheckLength(target, OutputSize, nameof(target));
        RunForward(input);
        return LossOf(target);
    }

    /// <inheritdoc/>
    public float Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> gradient)
    {
        CheckLength(input, InputSize, nameof(input));
        CheckLength(target, OutputSize, nameof(target));
        if (gradient.Length != ParameterCount) ThrowHelper.ThrowLengthMismatch(nameof(gradient), ParameterCount, gradient.Length);
        return Accumulate(input, target, gradient);
    }

    /// <inheritdoc/>
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate)
    {
        CheckLength(input, InputSize, nameof(input));
        CheckLength(target, OutputSize, nameof(target));
        Array.Clear(_gradient);
        float loss = Accumulate(input, target, _gradient);
        Axpy(-learningRate, _gradient, _parameters);
        return loss;
    }

    /// <inheritdoc/>
    public float BackwardBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, Span<float> gradient)
    {
        CheckBatch(inputs, targets, batchSize);
        if (gradient.Length != ParameterCount) ThrowHelper.ThrowLengthMismatch(nameof(gradient), ParameterCount, gradient.Length);
        float loss = AccumulateBatch(inputs, targets, batchSize);
        Axpy(1f / batchSize, _gradient, gradient);
        return loss;
    }

    /// <inheritdoc/>
    public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, float learningRate)
    {
        CheckBatch(inputs, targets, batchSize);
        float loss = AccumulateBatch(inputs, targets, batchSize);
        Axpy(-learningRate / batchSize, _gradient, _parameters);
        return loss;
    }

    private void CheckBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize)
    {
        if (batchSize <= 0) ThrowHelper.ThrowBatchSize(batchSize);
        ThrowHelper.CheckBatch(nameof(inputs), batchSize, InputSize, inputs.Length);
        ThrowHelper.CheckBatch(nameof(targets), batchSize, OutputSize, targets.Length);
    }

    private static void CheckLength(ReadOnlySpan<float> span, int expected, string name)
    {
        if (span.Length != expected) ThrowHelper.ThrowLengthMismatch(name, expected, span.Length);
    }

    private float AccumulateBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize)
    {
        Array.Clear(_gradient);
        float loss = 0f;
        for (int s = 0; s < batchSize; s++)
            loss += Accumulate(inputs.Slice(s * InputSize, InputSize), targets.Slice(s * OutputSize, OutputSize), _gradient);
        return loss / batchSize;
    }

    // z = W·x + b, a = f(z), layer by layer, each through the layer's activation operator; every z is kept for the derivatives and the loss.
    // In training, the layer's dropout then draws its mask (Operators.Dropout) and the next layer reads a·m.
    private void RunForward(ReadOnlySpan<float> input, bool training = false)
    {
        ReadOnlySpan<float> x = input;
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            Span<float> a = _activations[l];
            Span<float> z = _preActivations[l];
            for (int j = 0; j < layer.Size; j++)
            {
                var row = new ReadOnlySpan<float>(_parameters, layer.WeightOffset + j * layer.Inputs, layer.Inputs);
                z[j] = Dot(row, x) + _parameters[layer.BiasOffset + j];
            }
            _outputLogSumExp = _activationInfo[l].Forward(z, a);
            x = a;
            if (training && _kept[l] is { } kept)
            {
                Dropout.Apply(ref a[0], ref kept[0], ref _masks[l]![0], 1, layer.Size, layer.Dropout, _dropoutState, l);
                x = kept;
            }
        }
        if (training) _dropoutState++;
    }

    private float LossOf(ReadOnlySpan<float> t) => _loss.Loss(_preActivations[^1], _activations[^1], t, _outputLogSumExp);

    // Forward, then the chain rule from the output back: δ_L = ∂L/∂z_L; ∂L/∂W_l = δ_l ⊗ a_(l−1);
    // ∂L/∂b_l = δ_l; δ_(l−1) = (W_lᵀ δ_l) ⊙ f′(z_(l−1)). With a dropout after layer l − 1, a_(l−1) is a·m there and
    // δ_(l−1) is multiplied by m as well.
    private float Accumulate(ReadOnlySpan<float> input, ReadOnlySpan<float> t, Span<float> gradient)
    {
        RunForward(input, training: true);
        float loss = LossOf(t);
        // δ_L: the loss's delta, which is ∂L/∂z already where the loss is fused with its output activation, else ∂L/∂o taken through the activation
        _loss.Delta(_activations[^1], t, _deltas[^1]);
        if (!_loss.DeltaIsFused) _activationInfo[^1].Backward(_preActivations[^1], _activations[^1], _deltas[^1]);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            var layer = _layers[l];
            ReadOnlySpan<float> x = l == 0 ? input : _kept[l - 1] ?? _activations[l - 1];
            ReadOnlySpan<float> delta = _deltas[l];
            for (int j = 0; j < layer.Size; j++)
            {
                Axpy(delta[j], x, gradient.Slice(layer.WeightOffset + j * layer.Inputs, layer.Inputs));
                gradient[layer.BiasOffset + j] += delta[j];
            }
            if (l == 0) break;
            Span<float> previous = _deltas[l - 1];
            previous.Clear();
            for (int j = 0; j < layer.Size; j++)
                Axpy(delta[j], new ReadOnlySpan<float>(_parameters, layer.WeightOffset + j * layer.Inputs, layer.Inputs), previous);
            _activationInfo[l - 1].Backward(_preActivations[l - 1], _activations[l - 1], previous);
            if (_masks[l - 1] is { } mask)
            {
                for (int i = 0; i < previous.Length; i++) previous[i] *= mask[i];
            }
        }
        return loss;
    }

    private float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (_kernel == ReferenceKernel.TensorPrimitives) return System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
        float sum = 0f;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    // y += alpha·x
    private void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        if (_kernel == ReferenceKernel.TensorPrimitives)
        {
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, alpha, y, y);
            return;
        }
        for (int i = 0; i < x.Length; i++) y[i] += alpha * x[i];
    }
}
