using System;

namespace FixedNet;

/// <summary>
/// A trainable multilayer perceptron. The source generator implements it on every <c>[Network]</c> class;
/// <see cref="ReferenceNetwork"/> implements it for shapes known only at run time.
/// Instances keep scratch buffers and are not thread-safe; none of the members below allocates.
/// </summary>
public interface INetwork
{
    /// <summary>The network's shape, layout and loss.</summary>
    NetworkArchitecture Architecture { get; }

    /// <summary>Number of inputs.</summary>
    int InputSize { get; }

    /// <summary>Number of outputs.</summary>
    int OutputSize { get; }

    /// <summary>Number of weights and biases.</summary>
    int ParameterCount { get; }

    /// <summary>All parameters, layer by layer: weights row-major <c>[outputs × inputs]</c>, then biases.</summary>
    Span<float> Parameters { get; }

    /// <summary>Computes the network's output for one sample.</summary>
    /// <exception cref="ArgumentException">A span does not have the expected length.</exception>
    void Forward(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>Loss of one sample.</summary>
    float ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<float> target);

    /// <summary>Runs forward and backward for one sample, ADDS ∂loss/∂parameters into <paramref name="gradient"/> (same layout as <see cref="Parameters"/>) and returns the loss.</summary>
    float Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> gradient);

    /// <summary>One step of plain SGD on one sample, <c>θ ← θ − η·∇L</c>; returns the loss before the update.</summary>
    float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate);

    /// <summary>
    /// Runs forward and backward for <paramref name="batchSize"/> samples stored one after another in
    /// <paramref name="inputs"/> and <paramref name="targets"/>, ADDS the mean gradient <c>(1/m)·Σ ∇L</c> into
    /// <paramref name="gradient"/> and returns the mean loss.
    /// </summary>
    float BackwardBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, Span<float> gradient);

    /// <summary>One SGD step on the mean gradient of a mini-batch, <c>θ ← θ − η·(1/m)·Σ ∇L</c>; returns the mean loss before the update.</summary>
    float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, float learningRate);

    /// <summary>Deterministic initialization: Glorot-uniform weights (He-uniform for ReLU and LeakyReLU layers), zero biases.</summary>
    void InitializeParameters(int seed);
}
