using System;

namespace FixedNet;

/// <summary>
/// A trainable multilayer perceptron. The source generator implements it on every <c>[Network]</c> class;
/// <see cref="ReferenceNetwork"/> implements it for shapes known only at run time.
/// Instances keep scratch buffers and are not thread-safe: give each thread its own <see cref="Clone"/>. None of the
/// members below allocates but <see cref="Clone"/>. A new network's parameters are already initialized, from
/// <see cref="ParameterInitializer.DefaultSeed"/>.
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

    /// <summary>
    /// Computes the outputs of <paramref name="batchSize"/> samples stored one after another in
    /// <paramref name="inputs"/> (<c>[batchSize × InputSize]</c>) into <paramref name="outputs"/>
    /// (<c>[batchSize × OutputSize]</c>), row s for sample s. Generated networks run this as the tiled matrix products
    /// of their mini-batch path; the default implementation calls <see cref="Forward"/> for each sample.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not <paramref name="batchSize"/> rows, <paramref name="batchSize"/> is not positive, or <paramref name="outputs"/> shares memory with <paramref name="inputs"/>; nothing is written then.</exception>
    void ForwardBatch(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize)
    {
        if (batchSize <= 0) Runtime.ThrowHelper.ThrowBatchSize(batchSize);
        Runtime.ThrowHelper.CheckBatch(nameof(inputs), batchSize, InputSize, inputs.Length);
        Runtime.ThrowHelper.CheckBatch(nameof(outputs), batchSize, OutputSize, outputs.Length);
        Runtime.ThrowHelper.CheckNoOverlap(nameof(outputs), outputs, inputs, nameof(inputs));
        int n = InputSize, o = OutputSize;
        for (int s = 0; s < batchSize; s++) Forward(inputs.Slice(s * n, n), outputs.Slice(s * o, o));
    }

    /// <summary>
    /// Mean loss of <paramref name="batchSize"/> samples, with each sample's output written into
    /// <paramref name="outputs"/> (<c>[batchSize × OutputSize]</c>) from the same forward pass: what evaluating a
    /// data set needs (loss and accuracy) in one pass. Generated networks run it as <see cref="ForwardBatch"/> does;
    /// the default implementation calls <see cref="ComputeLoss"/> and <see cref="Forward"/> for each sample.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not <paramref name="batchSize"/> rows, <paramref name="batchSize"/> is not positive, or <paramref name="outputs"/> shares memory with <paramref name="inputs"/> or <paramref name="targets"/>; nothing is written then.</exception>
    float ComputeLossBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, Span<float> outputs)
    {
        if (batchSize <= 0) Runtime.ThrowHelper.ThrowBatchSize(batchSize);
        Runtime.ThrowHelper.CheckBatch(nameof(inputs), batchSize, InputSize, inputs.Length);
        Runtime.ThrowHelper.CheckBatch(nameof(targets), batchSize, OutputSize, targets.Length);
        Runtime.ThrowHelper.CheckBatch(nameof(outputs), batchSize, OutputSize, outputs.Length);
        Runtime.ThrowHelper.CheckNoOverlap(nameof(outputs), outputs, inputs, nameof(inputs));
        Runtime.ThrowHelper.CheckNoOverlap(nameof(outputs), outputs, targets, nameof(targets));
        int n = InputSize, o = OutputSize;
        float loss = 0f;
        for (int s = 0; s < batchSize; s++)
        {
            loss += ComputeLoss(inputs.Slice(s * n, n), targets.Slice(s * o, o));
            Forward(inputs.Slice(s * n, n), outputs.Slice(s * o, o));
        }
        return loss / batchSize;
    }

    /// <summary>
    /// Where the dropout masks stand: a training call (<see cref="Backward"/>, <see cref="TrainStep"/>,
    /// <see cref="BackwardBatch"/>, <see cref="TrainBatch"/>) draws sample s's masks from position <c>DropoutState + s</c>
    /// (<see cref="Operators.Dropout"/>), then moves this on by its number of samples. <see cref="InitializeParameters"/>
    /// sets it from the seed, and <c>Clone()</c> copies it. Set it to repeat or to continue a run's masks; the data-parallel
    /// trainer gives each worker the position of its shard, so the masks do not depend on the number of cores. A network
    /// without <c>[Dropout]</c> layers keeps no state: it reads 0 and ignores what is set.
    /// </summary>
    ulong DropoutState { get => 0; set { } }

    /// <summary>Deterministic initialization: Glorot-uniform weights (He-uniform for ReLU and LeakyReLU layers), zero biases.</summary>
    void InitializeParameters(int seed);

    /// <summary>
    /// A new, independent network of the same type and shape with equal parameters and its own scratch buffers, for
    /// one instance per thread. Generated networks and <see cref="ReferenceNetwork"/> implement it; the default throws.
    /// </summary>
    /// <exception cref="NotSupportedException">The implementation does not support copies.</exception>
    INetwork Clone() => throw new NotSupportedException($"{GetType().Name} does not implement INetwork.Clone().");
}
