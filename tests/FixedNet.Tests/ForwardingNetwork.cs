using System;

namespace FixedNet.Tests;

/// <summary>
/// An <see cref="INetwork"/> of a third party, as tests need one: every member forwards to <paramref name="inner"/>, and
/// a derived class overrides what it watches or changes. It implements nothing else (no <see cref="Runtime.ISharedBatch"/>),
/// and <see cref="INetwork.Clone"/> keeps the interface's default (not supported) unless overridden.
/// </summary>
public abstract class ForwardingNetwork(INetwork inner) : INetwork
{
    protected INetwork Inner => inner;
    public NetworkArchitecture Architecture => inner.Architecture;
    public int InputSize => inner.InputSize;
    public int OutputSize => inner.OutputSize;
    public int ParameterCount => inner.ParameterCount;
    public Span<float> Parameters => inner.Parameters;
    public void Forward(ReadOnlySpan<float> input, Span<float> output) => inner.Forward(input, output);
    public float ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<float> target) => inner.ComputeLoss(input, target);
    public float Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> gradient) => inner.Backward(input, target, gradient);
    public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate) => inner.TrainStep(input, target, learningRate);
    public virtual float BackwardBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, Span<float> gradient) => inner.BackwardBatch(inputs, targets, batchSize, gradient);
    public virtual float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, float learningRate) => inner.TrainBatch(inputs, targets, batchSize, learningRate);
    public void InitializeParameters(int seed) => inner.InitializeParameters(seed);
}
