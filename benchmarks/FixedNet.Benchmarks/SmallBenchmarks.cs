using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace FixedNet.Benchmarks;

/// <summary>Batch-1 inference and training of small shapes: generated code against the hand-written reference and ReferenceNetwork (TensorPrimitives), same parameters.</summary>
public abstract class SmallBenchmarks
{
    protected const float LearningRate = 1e-3f;
    private const int Samples = 256;

    protected INetwork Generated = null!;
    protected INetwork Primitives = null!;
    protected HandWrittenMlp? Hand;
    private float[] _inputs = null!, _targets = null!;
    protected float[] Output = null!;
    private int _next;

    public abstract string Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Generated = Shapes.CreateGenerated(Shape);
        Generated.InitializeParameters(1);
        Primitives = new ReferenceNetwork(Generated.Architecture, ReferenceKernel.TensorPrimitives);
        Generated.Parameters.CopyTo(Primitives.Parameters);
        if (Array.IndexOf(Shapes.HandWritten, Shape) >= 0) Hand = new HandWrittenMlp(Generated);
        var random = new Random(2);
        _inputs = new float[Samples * Generated.InputSize];
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = (float)(random.NextDouble() * 2 - 1);
        _targets = new float[Samples * Generated.OutputSize];
        for (int s = 0; s < Samples; s++)
        {
            if (Generated.Architecture.Loss == Loss.CrossEntropy) _targets[s * Generated.OutputSize + random.Next(Generated.OutputSize)] = 1f;
            else for (int k = 0; k < Generated.OutputSize; k++) _targets[s * Generated.OutputSize + k] = (float)random.NextDouble();
        }
        Output = new float[Generated.OutputSize];
    }

    protected int NextSample() => _next = (_next + 1) & (Samples - 1);

    protected ReadOnlySpan<float> Input(int s) => _inputs.AsSpan(s * Generated.InputSize, Generated.InputSize);

    protected ReadOnlySpan<float> Target(int s) => _targets.AsSpan(s * Generated.OutputSize, Generated.OutputSize);
}

/// <summary>Forward of one sample on the small shapes; the hand-written reference is the baseline.</summary>
public class SmallInference : SmallBenchmarks
{
    [ParamsSource(nameof(Names))]
    public override string Shape { get; set; } = "8-16-16-1 tanh";

    public static IEnumerable<string> Names => Shapes.HandWritten;

    [Benchmark]
    public float Generated_()
    {
        Generated.Forward(Input(NextSample()), Output);
        return Output[0];
    }

    [Benchmark(Baseline = true)]
    public float HandWritten()
    {
        Hand!.Forward(Input(NextSample()), Output);
        return Output[0];
    }

    [Benchmark]
    public float ReferenceTensorPrimitives()
    {
        Primitives.Forward(Input(NextSample()), Output);
        return Output[0];
    }
}

/// <summary>One SGD step on one sample on the small shapes; the hand-written reference is the baseline.</summary>
public class SmallTrainStep : SmallBenchmarks
{
    [ParamsSource(nameof(Names))]
    public override string Shape { get; set; } = "8-16-16-1 sigmoid";

    public static IEnumerable<string> Names => Shapes.HandWritten;

    [Benchmark]
    public float Generated_()
    {
        int s = NextSample();
        return Generated.TrainStep(Input(s), Target(s), LearningRate);
    }

    [Benchmark(Baseline = true)]
    public float HandWritten()
    {
        int s = NextSample();
        return Hand!.TrainStep(Input(s), Target(s), LearningRate);
    }

    [Benchmark]
    public float ReferenceTensorPrimitives()
    {
        int s = NextSample();
        return Primitives.TrainStep(Input(s), Target(s), LearningRate);
    }
}

/// <summary>64-32-10 with each hidden activation, batch 1: what each activation kind costs the generated code (inference and one SGD step).</summary>
public class ActivationKinds : SmallBenchmarks
{
    [ParamsSource(nameof(Names))]
    public override string Shape { get; set; } = "64-32-10";

    public static IEnumerable<string> Names => Shapes.ActivationKinds;

    [Benchmark(Baseline = true)]
    public float Forward()
    {
        Generated.Forward(Input(NextSample()), Output);
        return Output[0];
    }

    [Benchmark]
    public float TrainStep()
    {
        int s = NextSample();
        return Generated.TrainStep(Input(s), Target(s), LearningRate);
    }

    [Benchmark]
    public float ReferenceTensorPrimitivesForward()
    {
        Primitives.Forward(Input(NextSample()), Output);
        return Output[0];
    }
}
