using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Environments;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.NativeAot;
using FixedNet;
using FixedNet.Runtime;

// The JIT build (baseline) and a Native AOT build with default settings, which for x64 target a baseline without
// AVX2: there Vector256 is not accelerated, and generated networks run their Vector128 kernels (FixedNet.Runtime.Simd).
// Each job prints the kernel width it ran ("Kernels:" below the table).
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(Job.Default.WithRuntime(CoreRuntime.Core10_0).WithWarmupCount(5).WithIterationCount(12).AsBaseline())
    // The ILCompiler package the SDK names, from nuget.org (BenchmarkDotNet's default feed for it is a .NET team feed);
    // BenchmarkDotNet would compile for this machine's instruction set, so the x64 baseline that a publish with default
    // settings targets (x86-64-v2: SSE4.2, no AVX2, no FMA) is named here.
    .AddJob(Job.Default.WithRuntime(NativeAotRuntime.Net10_0)
        .WithToolchain(NativeAotToolchain.CreateBuilder().UseNuGet(string.Empty, "https://api.nuget.org/v3/index.json")
            .IlcInstructionSet("x86-64-v2").TargetFrameworkMoniker("net10.0").ToToolchain())
        .WithWarmupCount(5).WithIterationCount(12))
    .HideColumns("Error", "StdDev", "RatioSD");
BenchmarkRunner.Run<AotTraining>(config, args);

/// <summary>784-128-10 (ReLU, softmax, cross-entropy): one SGD step on 32 samples, and one forward pass; times per sample.</summary>
public class AotTraining
{
    private const int Batch = 32;
    private readonly AotNet _net = new();
    private float[] _inputs = null!, _targets = null!, _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _net.InitializeParameters(1);
        var random = new Random(2);
        _inputs = new float[Batch * AotNet.InputSize];
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = (float)random.NextDouble();
        _targets = new float[Batch * AotNet.OutputSize];
        for (int s = 0; s < Batch; s++) _targets[s * AotNet.OutputSize + random.Next(AotNet.OutputSize)] = 1f;
        _output = new float[AotNet.OutputSize];
        Console.WriteLine($"// Kernels: Vector{Simd.VectorBits} (Vector256 accelerated: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated})");
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public float TrainBatch32() => _net.TrainBatch(_inputs, _targets, Batch, 1e-4f);

    [Benchmark]
    public float Forward()
    {
        _net.Forward(_inputs.AsSpan(0, AotNet.InputSize), _output);
        return _output[0];
    }
}

[Network(784, Loss = Loss.CrossEntropy)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class AotNet;
