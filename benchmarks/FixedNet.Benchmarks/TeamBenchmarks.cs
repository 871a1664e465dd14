using System;
using System.Linq;
using System.Threading;
using BenchmarkDotNet.Attributes;
using FixedNet.Data;
using FixedNet.Runtime;
using FixedNet.Training;

namespace FixedNet.Benchmarks;

/// <summary>
/// What <see cref="TeamStep"/> and <see cref="TeamSgdStep"/> share: one of the two 784-input shapes, 1,024 random samples
/// cycled through a batch at a time, and the team of two that the derived class creates.
/// </summary>
public abstract class TeamBatchBenchmark
{
    private const int Count = 1024;

    protected INetwork Network = null!;
    protected Dataset Data = null!;
    protected int[] Order = null!;
    protected AlignedBuffer Inputs;
    protected float[] Targets = null!;
    private protected DataParallel Team = null!;
    private int _next, _batch;

    protected void Prepare(string shape, int batch)
    {
        Network = shape == "784-128-10" ? new Net784x128x10() : new Net784x256x128x10();
        Network.InitializeParameters(1);
        var random = new Random(1);
        var labels = Enumerable.Range(0, Count).Select(_ => random.Next(10)).ToArray();
        var x = new float[Count * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        Data = new Dataset(x, OneHot.Encode(labels, 10), 784, 10);
        Order = Enumerable.Range(0, Count).ToArray();
        Inputs = new AlignedBuffer(batch * 784);
        Targets = new float[batch * 10];
        _batch = batch;
    }

    [GlobalCleanup]
    public void Cleanup() => Team.Dispose();

    protected int NextStart() => (_next = (_next + 1) % (Count / _batch)) * _batch;
}

/// <summary>
/// One training step of one batch, the unit that <c>DataParallel.MinTeamShare</c> decides on: one core's
/// <c>BackwardBatch</c> and Adam step (the baseline) against a team of two (every layer split, then each its range of the
/// update). Without the epoch around it, the batch sizes near the rule can be compared directly; read the ratio beside
/// <see cref="AllCoresCeiling"/>'s in the same run.
/// </summary>
public class TeamStep : TeamBatchBenchmark
{
    [Params("784-128-10", "784-256-128-10")]
    public string Shape { get; set; } = "784-128-10";

    [Params(32, 64, 128)]
    public int Batch { get; set; }

    private float[] _gradient = null!;
    private Adam _oneCoreAdam = null!;

    [GlobalSetup]
    public void Setup()
    {
        Prepare(Shape, Batch);
        _gradient = new float[Network.ParameterCount];
        _oneCoreAdam = new Adam();
        ((IOptimizer)_oneCoreAdam).Initialize(Network.ParameterCount);
        var teamAdam = new Adam();
        ((IOptimizer)teamAdam).Initialize(Network.ParameterCount);
        Team = DataParallel.TryCreateTeam(Network, 2, teamAdam, clipNorm: null) ?? throw new InvalidOperationException("no team");
    }

    [Benchmark(Baseline = true)]
    public float OneCore()
    {
        Data.Gather(Order, NextStart(), 0, Batch, Inputs.Span, Targets);
        Array.Clear(_gradient);
        float loss = Network.BackwardBatch(Inputs.Span[..(Batch * 784)], Targets, Batch, _gradient);
        ((IOptimizer)_oneCoreAdam).Step(Network.Parameters, _gradient, 1e-5f);
        return loss;
    }

    [Benchmark]
    public float TeamOfTwo()
    {
        float loss = Team.Gradients(Data, Order, NextStart(), Batch, Inputs, Targets, 1);
        Team.Update(1e-5f);
        return loss;
    }
}

/// <summary>
/// One plain SGD step of one batch, the unit that <c>DataParallel.MinTeamShare</c> decides on with plain SGD: one core's
/// gather and <c>TrainBatch</c> (fused up to 32 samples: no gradient buffer) against a team of two taking the same step
/// (<see cref="ISharedBatch.TrainBatchPart"/>); <c>OnePart</c> is the team's code on one thread alone. Read the ratio
/// beside <see cref="AllCoresCeiling"/>'s in the same run, and the Min column on a noisy VM.
/// </summary>
public class TeamSgdStep : TeamBatchBenchmark
{
    [Params("784-128-10", "784-256-128-10")]
    public string Shape { get; set; } = "784-128-10";

    [Params(16, 32, 128)]
    public int Batch { get; set; }

    private readonly SpinBarrier _one = new(1);

    [GlobalSetup]
    public void Setup()
    {
        Prepare(Shape, Batch);
        Team = DataParallel.TryCreateTeam(Network, 2, new Sgd(), clipNorm: null, fusedSgd: true) ?? throw new InvalidOperationException("no team");
    }

    [Benchmark(Baseline = true)]
    public float OneCore()
    {
        Data.Gather(Order, NextStart(), 0, Batch, Inputs.Span, Targets);
        return Network.TrainBatch(Inputs.Span[..(Batch * 784)], Targets, Batch, 1e-5f);
    }

    [Benchmark]
    public float OnePart()
    {
        Data.Gather(Order, NextStart(), 0, Batch, Inputs.Span, Targets);
        return ((ISharedBatch)Network).TrainBatchPart(Inputs.Span[..(Batch * 784)], Targets, Batch, 1e-5f, 0, 1, _one);
    }

    [Benchmark]
    public float TeamOfTwo() => Team.TrainBatch(Data, Order, NextStart(), Batch, Inputs, Targets, 1e-5f);
}

/// <summary>One crossing of the team's <see cref="SpinBarrier"/> by two threads (1,000 per call).</summary>
public class BarrierCrossing
{
    private SpinBarrier _barrier = null!;
    private Thread _other = null!;
    private volatile bool _stop;

    [GlobalSetup]
    public void Setup()
    {
        _barrier = new SpinBarrier(2);
        _other = new Thread(() => { while (!_stop) _barrier.SignalAndWait(); }) { IsBackground = true };
        _other.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        // the other thread either sees the flag and leaves, or already waits at the barrier for one more crossing
        if (!_other.Join(100)) _barrier.SignalAndWait();
        _other.Join();
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public void Crossing()
    {
        for (int i = 0; i < 1000; i++) _barrier.SignalAndWait();
    }
}
