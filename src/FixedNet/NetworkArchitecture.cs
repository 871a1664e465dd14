using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace FixedNet;

/// <summary>One dense layer of a network: <paramref name="Inputs"/> → <paramref name="Size"/> units with <paramref name="Activation"/>.</summary>
/// <param name="Inputs">Number of inputs of the layer (the previous layer's size, or the network's input size).</param>
/// <param name="Size">Number of units.</param>
/// <param name="Activation">Activation of the layer.</param>
/// <param name="WeightOffset">Index of <c>W[0,0]</c> in the parameter vector; <c>W[j,i]</c> is at <c>WeightOffset + j·Inputs + i</c>.</param>
/// <param name="BiasOffset">Index of <c>b[0]</c> in the parameter vector.</param>
public readonly record struct LayerSpec(int Inputs, int Size, Activation Activation, int WeightOffset, int BiasOffset)
{
    /// <summary>Number of weights, <c>Size·Inputs</c>.</summary>
    public int WeightCount => Size * Inputs;

    /// <summary>
    /// The probability p of the <c>[Dropout(p)]</c> after this layer (0: none). In training each of the layer's outputs is
    /// zeroed with probability p and the others scaled by 1/(1 − p); at inference the dropout is the identity.
    /// </summary>
    public float Dropout { get; init; }

    /// <summary>Number of parameters, weights plus biases.</summary>
    public int ParameterCount => Size * Inputs + Size;
}

/// <summary>
/// Shape of a multilayer perceptron: input size, dense layers and loss. Parameters are laid out like a stack of
/// <c>torch.nn.Linear</c> layers: for each layer its weight matrix row-major <c>[Size × Inputs]</c>, then its bias.
/// </summary>
public sealed class NetworkArchitecture : IEquatable<NetworkArchitecture>
{
    /// <summary>Largest parameter count a network may have (2²⁶ floats, 256 MiB); the generator reports FN0012 above it.</summary>
    public const int MaxParameterCount = 1 << 26;

    private readonly LayerSpec[] _layers;

    /// <summary>
    /// Creates an architecture from an input size, the layers as (size, activation) from input to output, a loss, and
    /// optionally the dropout probability after each layer (<paramref name="dropout"/>[l] after layer l; 0 for none, and
    /// the last layer has none).
    /// </summary>
    /// <exception cref="ArgumentException">A size is not positive, there is no layer, softmax is not last, the loss does not
    /// fit the last activation, or a dropout probability is outside [0, 1), follows the last layer or the list has another length.</exception>
    public NetworkArchitecture(int inputSize, IReadOnlyList<(int Size, Activation Activation)> layers, Loss loss = Loss.MeanSquaredError,
        IReadOnlyList<float>? dropout = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        if (layers.Count == 0) throw new ArgumentException("A network needs at least one dense layer.", nameof(layers));
        if (!Enum.IsDefined(loss)) throw new ArgumentException($"Unknown loss {(int)loss}.", nameof(loss));
        if (dropout is not null && dropout.Count != layers.Count)
            throw new ArgumentException($"{dropout.Count} dropout probabilities for {layers.Count} layers; give one per layer (0 for none).", nameof(dropout));
        _layers = new LayerSpec[layers.Count];
        long offset = 0;
        int inputs = inputSize;
        for (int l = 0; l < layers.Count; l++)
        {
            var (size, activation) = layers[l];
            if (size <= 0) throw new ArgumentException($"Layer {l} has size {size}; sizes must be positive.", nameof(layers));
            if (!Enum.IsDefined(activation)) throw new ArgumentException($"Layer {l} has unknown activation {(int)activation}.", nameof(layers));
            if (activation == Activation.Softmax && l != layers.Count - 1)
                throw new ArgumentException($"Layer {l} uses Softmax, which is allowed on the last layer only.", nameof(layers));
            long weights = offset;
            long bias = weights + (long)size * inputs;
            offset = bias + size;
            if (offset > MaxParameterCount)
                throw new ArgumentException($"The network has more than {MaxParameterCount} parameters.", nameof(layers));
            float p = dropout is null ? 0f : dropout[l];
            if (!(p >= 0f && p < 1f))
                throw new ArgumentException($"The dropout after layer {l} has probability {p}; it must be in [0, 1).", nameof(dropout));
            if (p > 0f && l == layers.Count - 1)
                throw new ArgumentException("The last layer has a dropout; dropout goes between dense layers.", nameof(dropout));
            _layers[l] = new LayerSpec(inputs, size, activation, (int)weights, (int)bias) { Dropout = p };
            inputs = size;
        }
        var last = _layers[^1].Activation;
        if (loss == Loss.CrossEntropy && last != Activation.Softmax)
            throw new ArgumentException("CrossEntropy needs a Softmax last layer.", nameof(loss));
        if (loss == Loss.BinaryCrossEntropy && last != Activation.Sigmoid)
            throw new ArgumentException("BinaryCrossEntropy needs a Sigmoid last layer.", nameof(loss));
        InputSize = inputSize;
        OutputSize = inputs;
        ParameterCount = (int)offset;
        Loss = loss;
        Layers = new ReadOnlyCollection<LayerSpec>(_layers);
    }

    /// <summary>Number of inputs.</summary>
    public int InputSize { get; }

    /// <summary>Number of outputs (size of the last layer).</summary>
    public int OutputSize { get; }

    /// <summary>Total number of weights and biases.</summary>
    public int ParameterCount { get; }

    /// <summary>Training loss.</summary>
    public Loss Loss { get; }

    /// <summary>The dense layers from input to output.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>True when a layer is followed by a dropout (<see cref="LayerSpec.Dropout"/> above 0).</summary>
    public bool HasDropout => Array.Exists(_layers, layer => layer.Dropout > 0f);

    /// <summary>Largest layer size, including the input.</summary>
    public int MaxWidth
    {
        get
        {
            int max = InputSize;
            foreach (var layer in _layers) max = Math.Max(max, layer.Size);
            return max;
        }
    }

    /// <summary>A Keras-like summary table: one row per layer with its output shape and parameter count.</summary>
    public string Summary()
    {
        var sb = new StringBuilder();
        sb.Append("Layer      Output  Activation  Parameters\n");
        sb.Append($"input      {InputSize,6}\n");
        for (int l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            sb.Append($"dense_{l,-4} {layer.Size,6}  {layer.Activation,-10}  {layer.ParameterCount,10}\n");
            if (layer.Dropout > 0f) sb.Append(CultureInfo.InvariantCulture, $"dropout_{l,-2} {layer.Size,6}  p = {layer.Dropout,-6}  {0,10}\n");
        }
        sb.Append($"total parameters: {ParameterCount}, loss: {Loss}\n");
        return sb.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(NetworkArchitecture? other) =>
        other is not null && InputSize == other.InputSize && Loss == other.Loss && _layers.AsSpan().SequenceEqual(other._layers);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as NetworkArchitecture);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(InputSize);
        hash.Add(Loss);
        foreach (var layer in _layers) hash.Add(layer);
        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder().Append(InputSize);
        foreach (var layer in _layers)
        {
            sb.Append('-').Append(layer.Size).Append(' ').Append(layer.Activation);
            if (layer.Dropout > 0f) sb.Append(CultureInfo.InvariantCulture, $" dropout {layer.Dropout}");
        }
        return sb.Append(" (").Append(Loss).Append(')').ToString();
    }
}
