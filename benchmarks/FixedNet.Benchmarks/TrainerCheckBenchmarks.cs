using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using FixedNet.Runtime;

namespace FixedNet.Benchmarks;

/// <summary>
/// Why <c>Trainer.Fit</c> checks the loss of every batch but not the gradient: one batch of 32 through
/// <c>BackwardBatch</c> (what every optimizer step does, the baseline) against a finiteness check of the whole gradient
/// (its sum: NaN and ±∞ propagate). On a Zen 2 the check cost 3 % (64-32-10) and 7 % (784-128-10) of the batch, because
/// it reads the gradient from memory again; the trainer checks the parameters once per epoch instead.
/// </summary>
public class TrainerCheck
{
    private const int Batch = 32;
    private INetwork _network = null!;
    private float[] _inputs = null!, _targets = null!;
    private AlignedBuffer _gradient;

    [Params("784-128-10", "64-32-10")]
    public string Shape { get; set; } = "784-128-10";

    [GlobalSetup]
    public void Setup()
    {
        _network = Shapes.CreateGenerated(Shape);
        _network.InitializeParameters(1);
        var random = new Random(3);
        _inputs = new float[Batch * _network.InputSize];
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = (float)random.NextDouble();
        _targets = new float[Batch * _network.OutputSize];
        for (int s = 0; s < Batch; s++) _targets[s * _network.OutputSize + random.Next(_network.OutputSize)] = 1f;
        _gradient = new AlignedBuffer(_network.ParameterCount);
    }

    [Benchmark(Baseline = true)]
    public float BackwardBatch32()
    {
        _gradient.Span.Clear();
        return _network.BackwardBatch(_inputs, _targets, Batch, _gradient.Span);
    }

    [Benchmark]
    public bool FiniteCheckOfTheGradient() => float.IsFinite(TensorPrimitives.Sum<float>(_gradient.Span));
}
