using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
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
    private readonly float[][] _activations; // output of each layer
    private readonly float[][] _deltas;      // ∂L/∂z of each layer
    private readonly float[] _outputLogits;  // z of the last layer
    private float _outputLogSumExp;          // log Σ e^z of a softmax output, from NetMath.Softmax
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
        _activations = new float[_layers.Length][];
        _deltas = new float[_layers.Length][];
        for (int l = 0; l < _layers.Length; l++)
        {
            _activations[l] = new float[_layers[l].Size];
            _deltas[l] = new float[_layers[l].Size];
        }
        _outputLogits = new float[architecture.OutputSize];
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
    public void InitializeParameters(int seed) => ParameterInitializer.Initialize(Architecture, _parameters, seed);

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

    // z = W·x + b, a = f(z), layer by layer; the last layer's z is kept for the loss.
    private void RunForward(ReadOnlySpan<float> input)
    {
        ReadOnlySpan<float> x = input;
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            bool last = l == _layers.Length - 1;
            Span<float> a = _activations[l];
            Span<float> z = last ? _outputLogits : a;
            for (int j = 0; j < layer.Size; j++)
            {
                var row = new ReadOnlySpan<float>(_parameters, layer.WeightOffset + j * layer.Inputs, layer.Inputs);
                z[j] = Dot(row, x) + _parameters[layer.BiasOffset + j];
            }
            if (layer.Activation == Activation.Softmax)
            {
                _outputLogSumExp = NetMath.Softmax(z, a);
            }
            else
            {
                for (int j = 0; j < layer.Size; j++) a[j] = NetMath.Activate(layer.Activation, z[j]);
            }
            x = a;
        }
    }

    private float LossOf(ReadOnlySpan<float> t)
    {
        ReadOnlySpan<float> o = _activations[^1];
        ReadOnlySpan<float> z = _outputLogits;
        int n = o.Length;
        float sum = 0f;
        switch (Architecture.Loss)
        {
            case Loss.MeanSquaredError:
                for (int k = 0; k < n; k++) sum += (o[k] - t[k]) * (o[k] - t[k]);
                return sum / n;
            case Loss.HalfSquaredError:
                for (int k = 0; k < n; k++) sum += (o[k] - t[k]) * (o[k] - t[k]);
                return 0.5f * sum;
            case Loss.CrossEntropy:
                float lse = _outputLogSumExp; // CrossEntropy implies a softmax output
                for (int k = 0; k < n; k++) sum -= t[k] * (z[k] - lse);
                return sum;
            default:
                for (int k = 0; k < n; k++) sum += NetMath.BinaryCrossEntropyTerm(z[k], t[k]);
                return sum / n;
        }
    }

    // Forward, then the chain rule from the output back: δ_L = ∂L/∂z_L; ∂L/∂W_l = δ_l ⊗ a_(l−1);
    // ∂L/∂b_l = δ_l; δ_(l−1) = (W_lᵀ δ_l) ⊙ f′(a_(l−1)).
    private float Accumulate(ReadOnlySpan<float> input, ReadOnlySpan<float> t, Span<float> gradient)
    {
        RunForward(input);
        float loss = LossOf(t);
        OutputDelta(t, _deltas[^1]);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            var layer = _layers[l];
            ReadOnlySpan<float> x = l == 0 ? input : _activations[l - 1];
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
            var below = _layers[l - 1];
            ReadOnlySpan<float> a = _activations[l - 1];
            for (int i = 0; i < previous.Length; i++) previous[i] *= NetMath.Derivative(below.Activation, a[i]);
        }
        return loss;
    }

    // δ_L = ∂L/∂z_L for the loss and the last activation.
    private void OutputDelta(ReadOnlySpan<float> t, Span<float> delta)
    {
        ReadOnlySpan<float> o = _activations[^1];
        int n = o.Length;
        var activation = _layers[^1].Activation;
        switch (Architecture.Loss)
        {
            case Loss.CrossEntropy: // softmax + cross-entropy: δ_k = o_k·Σt − t_k
                float tsum = 0f;
                for (int k = 0; k < n; k++) tsum += t[k];
                for (int k = 0; k < n; k++) delta[k] = o[k] * tsum - t[k];
                return;
            case Loss.BinaryCrossEntropy: // sigmoid + BCE: δ_k = (o_k − t_k)/n
                for (int k = 0; k < n; k++) delta[k] = (o[k] - t[k]) / n;
                return;
        }
        // g = ∂L/∂o: 2(o − t)/n for MSE, (o − t) for ½Σ(o − t)².
        float scale = Architecture.Loss == Loss.MeanSquaredError ? 2f / n : 1f;
        for (int k = 0; k < n; k++) delta[k] = scale * (o[k] - t[k]);
        if (activation == Activation.Softmax)
        {
            // δ_k = o_k (g_k − Σ_j g_j o_j)
            float dot = 0f;
            for (int k = 0; k < n; k++) dot += delta[k] * o[k];
            for (int k = 0; k < n; k++) delta[k] = o[k] * (delta[k] - dot);
        }
        else
        {
            for (int k = 0; k < n; k++) delta[k] *= NetMath.Derivative(activation, o[k]);
        }
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
