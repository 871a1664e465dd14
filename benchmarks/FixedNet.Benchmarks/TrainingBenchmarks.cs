using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using FixedNet;

namespace FixedNet.Benchmarks;

/// <summary>Shared setup: one network per engine with identical parameters, and a small set of samples to cycle through.</summary>
public abstract class EngineBenchmarks
{
    protected const float LearningRate = 1e-3f;
    protected const int Samples = 256;

    [ParamsSource(nameof(ShapeNames))]
    public string Shape { get; set; } = "784-128-10";

    public static IEnumerable<string> ShapeNames => Shapes.Names;

    protected INetwork Generated = null!;
    protected INetwork Scalar = null!;
    protected INetwork Primitives = null!;
    protected TorchEngine? Torch;
    protected OnnxRuntimeEngine? OnnxRuntime;
    protected FixedNet.Runtime.AlignedBuffer Inputs; // 64-byte aligned, like the Trainer's batch buffer
    protected float[] Targets = null!;
    protected float[] Output = null!;
    protected float[] Outputs = null!;
    protected int Next;

    protected abstract int TorchBatch { get; }

    [GlobalSetup]
    public void Setup()
    {
        Generated = Shapes.CreateGenerated(Shape);
        Generated.InitializeParameters(1);
        Scalar = new ReferenceNetwork(Generated.Architecture, ReferenceKernel.Scalar);
        Primitives = new ReferenceNetwork(Generated.Architecture, ReferenceKernel.TensorPrimitives);
        Generated.Parameters.CopyTo(Scalar.Parameters);
        Generated.Parameters.CopyTo(Primitives.Parameters);
        var random = new System.Random(2);
        Inputs = new FixedNet.Runtime.AlignedBuffer(Samples * Generated.InputSize);
        var inputs = Inputs.Span;
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)random.NextDouble();
        Targets = new float[Samples * Generated.OutputSize];
        for (int s = 0; s < Samples; s++) Targets[s * Generated.OutputSize + random.Next(Generated.OutputSize)] = 1f;
        Output = new float[Generated.OutputSize];
        if (TorchAvailability.WhyNot is null) Torch = new TorchEngine(Generated.Architecture, TorchBatch, LearningRate);
        if (this is Inference) OnnxRuntime = new OnnxRuntimeEngine(Generated, 1);
        if (this is InferenceBatch32) OnnxRuntime = new OnnxRuntimeEngine(Generated, InferenceBatch32.Batch);
        Outputs = new float[InferenceBatch32.Batch * Generated.OutputSize];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Torch?.Dispose();
        OnnxRuntime?.Dispose();
    }

    protected System.ReadOnlySpan<float> Input(int sample, int count = 1) => Inputs.Span.Slice(sample * Generated.InputSize, count * Generated.InputSize);

    protected System.ReadOnlySpan<float> Target(int sample, int count = 1) => Targets.AsSpan(sample * Generated.OutputSize, count * Generated.OutputSize);
}

/// <summary>One SGD step on one sample.</summary>
public class TrainBatch1 : EngineBenchmarks
{
    protected override int TorchBatch => 1;

    private float Step(INetwork net)
    {
        int s = Next = (Next + 1) & (Samples - 1);
        return net.TrainStep(Input(s), Target(s), LearningRate);
    }

    [Benchmark(Baseline = true)]
    public float Generated_() => Step(Generated);

    [Benchmark]
    public float ReferenceScalar() => Step(Scalar);

    [Benchmark]
    public float ReferenceTensorPrimitives() => Step(Primitives);

    [Benchmark]
    public float TorchSharp() => Torch!.TrainStep();
}

/// <summary>One SGD step on the mean gradient of 32 samples; times are per sample.</summary>
public class TrainBatch32 : EngineBenchmarks
{
    private const int Batch = 32;

    protected override int TorchBatch => Batch;

    private float Step(INetwork net)
    {
        int s = Next = (Next + Batch) & (Samples - 1);
        return net.TrainBatch(Input(s, Batch), Target(s, Batch), Batch, LearningRate);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public float Generated_() => Step(Generated);

    [Benchmark(OperationsPerInvoke = Batch)]
    public float ReferenceScalar() => Step(Scalar);

    [Benchmark(OperationsPerInvoke = Batch)]
    public float ReferenceTensorPrimitives() => Step(Primitives);

    [Benchmark(OperationsPerInvoke = Batch)]
    public float TorchSharp() => Torch!.TrainStep();
}

/// <summary>Forward pass of one sample.</summary>
public class Inference : EngineBenchmarks
{
    protected override int TorchBatch => 1;

    private float Run(INetwork net)
    {
        int s = Next = (Next + 1) & (Samples - 1);
        net.Forward(Input(s), Output);
        return Output[0];
    }

    [Benchmark(Baseline = true)]
    public float Generated_() => Run(Generated);

    [Benchmark]
    public float ReferenceScalar() => Run(Scalar);

    [Benchmark]
    public float ReferenceTensorPrimitives() => Run(Primitives);

    [Benchmark]
    public void TorchSharp() => Torch!.Forward();

    [Benchmark]
    public float OnnxRuntime_()
    {
        int s = Next = (Next + 1) & (Samples - 1);
        return OnnxRuntime!.Forward(Input(s));
    }
}

/// <summary>Forward pass of 32 samples at once (generated: <c>ForwardBatch</c>, the tiled batch path); times are per sample.</summary>
public class InferenceBatch32 : EngineBenchmarks
{
    internal const int Batch = 32;

    protected override int TorchBatch => Batch;

    private float Run(INetwork net)
    {
        int s = Next = (Next + Batch) & (Samples - 1);
        net.ForwardBatch(Input(s, Batch), Outputs, Batch);
        return Outputs[0];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public float Generated_() => Run(Generated);

    [Benchmark(OperationsPerInvoke = Batch)]
    public float ReferenceTensorPrimitives() => Run(Primitives);

    [Benchmark(OperationsPerInvoke = Batch)]
    public void TorchSharp() => Torch!.Forward();

    [Benchmark(OperationsPerInvoke = Batch)]
    public float OnnxRuntime_()
    {
        int s = Next = (Next + Batch) & (Samples - 1);
        return OnnxRuntime!.Forward(Input(s, Batch));
    }
}
