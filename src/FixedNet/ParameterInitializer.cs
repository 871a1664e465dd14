using System;
using FixedNet.Operators;
using FixedNet.Runtime;

namespace FixedNet;

/// <summary>Deterministic parameter initialization shared by generated networks and <see cref="ReferenceNetwork"/>.</summary>
public static class ParameterInitializer
{
    /// <summary>
    /// The seed a new network's parameters come from, in generated networks and <see cref="ReferenceNetwork"/> alike: a
    /// network is usable as soon as it is constructed, as a <c>torch.nn.Linear</c> is
    /// (https://pytorch.org/docs/stable/generated/torch.nn.Linear.html), and two new networks of one shape are equal.
    /// <see cref="INetwork.InitializeParameters(int)"/> draws them again from another seed.
    /// </summary>
    public const int DefaultSeed = 0;

    /// <summary>A new 64-byte aligned parameter buffer for <paramref name="architecture"/>, initialized from <see cref="DefaultSeed"/>: the field initializer of generated networks.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static AlignedBuffer NewParameters(NetworkArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var parameters = new AlignedBuffer(architecture.ParameterCount);
        Initialize(architecture, parameters.Span, DefaultSeed);
        return parameters;
    }

    /// <summary>
    /// Fills <paramref name="parameters"/> for <paramref name="architecture"/> from <paramref name="seed"/>: weights of
    /// layers with a ReLU-like activation (ReLU, LeakyReLU, GELU, SiLU, ELU, Softplus) He-uniform, <c>U(−√(6/fan_in), √(6/fan_in))</c>; weights of other layers Glorot-uniform,
    /// <c>U(−√(6/(fan_in+fan_out)), +…)</c>; biases zero. The same seed gives the same values everywhere.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> does not have <see cref="NetworkArchitecture.ParameterCount"/> values.</exception>
    public static void Initialize(NetworkArchitecture architecture, Span<float> parameters, int seed)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (parameters.Length != architecture.ParameterCount)
            ThrowHelper.ThrowLengthMismatch(nameof(parameters), architecture.ParameterCount, parameters.Length);
        var random = new DeterministicRandom(seed);
        foreach (var layer in architecture.Layers)
        {
            double limit = ActivationInfo.Of(layer.Activation).HeInitialization
                ? Math.Sqrt(6.0 / layer.Inputs)
                : Math.Sqrt(6.0 / (layer.Inputs + layer.Size));
            var weights = parameters.Slice(layer.WeightOffset, layer.WeightCount);
            for (int k = 0; k < weights.Length; k++) weights[k] = (float)((2.0 * random.NextDouble() - 1.0) * limit);
            parameters.Slice(layer.BiasOffset, layer.Size).Clear();
        }
    }
}
