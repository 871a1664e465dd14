using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace FixedNet.Benchmarks;

/// <summary>
/// What a <c>[Dropout(0.2)]</c> after the hidden layer costs a training batch of 32 (mask drawing, one more pass over the
/// hidden activations, the mask on the way back): the same shape without the dropout is the baseline, same parameters.
/// Inference runs the same code either way (dropout is the identity there), so only training is measured.
/// </summary>
public class DropoutCost
{
    private const int Batch = 32, Samples = 256;
    private INetwork _plain = null!, _dropout = null!;
    private float[] _inputs = null!, _targets = null!;
    private int _next;

    [ParamsSource(nameof(Names))]
    public string Shape { get; set; } = "64-64-10";

    public static IEnumerable<string> Names => ["64-64-10", "784-128-10"];

    [GlobalSetup]
    public void Setup()
    {
        (_plain, _dropout) = Shape == "64-64-10" ? ((INetwork)new Net64x64x10(), (INetwork)new Net64x64x10Dropout()) : (new Net784x128x10(), new Mnist128Dropout());
        _plain.InitializeParameters(1);
        _plain.Parameters.CopyTo(_dropout.Parameters);
        var random = new Random(2);
        _inputs = new float[Samples * _plain.InputSize];
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = (float)random.NextDouble();
        _targets = new float[Samples * _plain.OutputSize];
        for (int s = 0; s < Samples; s++) _targets[s * _plain.OutputSize + random.Next(_plain.OutputSize)] = 1f;
    }

    private int NextBatch() => _next = (_next + Batch) % Samples;

    [Benchmark(Baseline = true)]
    public float WithoutDropout()
    {
        int s = NextBatch();
        return _plain.TrainBatch(_inputs.AsSpan(s * _plain.InputSize, Batch * _plain.InputSize), _targets.AsSpan(s * _plain.OutputSize, Batch * _plain.OutputSize), Batch, 1e-3f);
    }

    [Benchmark]
    public float WithDropout()
    {
        int s = NextBatch();
        return _dropout.TrainBatch(_inputs.AsSpan(s * _dropout.InputSize, Batch * _dropout.InputSize), _targets.AsSpan(s * _dropout.OutputSize, Batch * _dropout.OutputSize), Batch, 1e-3f);
    }
}
