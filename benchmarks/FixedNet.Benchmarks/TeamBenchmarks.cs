using System;
using System.Linq;
using System.Threading;
using BenchmarkDotNet.Attributes;
using FixedNet.Data;
using FixedNet.Runtime;
using FixedNet.Training;

namespace FixedNet.Benchmarks;

/// <summary>
/// One training step of one batch, the unit that <c>DataParallel.MinTeamShare</c> decides on: one core's
/// <c>BackwardBatch</c> and Adam step (the baseline) against a team of two (every layer split, then each its range of the
/// update). Without the epoch around it, the batch sizes near the rule can be compared directly; read the ratio beside
/// <see cref="AllCoresCeiling"/>'s in the same run.
/// </summary>
public class TeamStep
{
    [Params("784-128-10", "784-256-128-10")]
    public string Shape { get; set; } = "784-128-10";

    [Params(32, 64, 128)]
    public int Batch { get; set; }

    private INetwork _network = null!;
    private Dataset _data = null!;
    private int[] _order = null!;
    private AlignedBuffer _inputs;
    private float[] _targets = null!, _gradient = null!;
    private Adam _oneCoreAdam = null!, _teamAdam = null!;
    private DataParallel _team = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _network = Shape == "784-128-10" ? new Net784x128x10() : new Net784x256x128x10();
        _network.InitializeParameters(1);
        const int count = 1024;
        var random = new Random(1);
        var labels = Enumerable.Range(0, count).Select(_ => random.Next(10)).ToArray();
        var x = new float[count * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        _data = new Dataset(x, OneHot.Encode(labels, 10), 784, 10);
        _order = Enumerable.Range(0, count).ToArray();
        _inputs = new AlignedBuffer(Batch * 784);
        _targets = new float[Batch * 10];
        _gradient = new float[_network.ParameterCount];
        _oneCoreAdam = new Adam();
        ((IOptimizer)_oneCoreAdam).Initialize(_network.ParameterCount);
        _teamAdam = new Adam();
        ((IOptimizer)_teamAdam).Initialize(_network.ParameterCount);
        _team = DataParallel.TryCreateTeam(_network, 2, _teamAdam, clipNorm: null) ?? throw new InvalidOperationException("no team");
    }

    [GlobalCleanup]
    public void Cleanup() => _team.Dispose();

    private int NextStart() => (_next = (_next + 1) % (1024 / Batch)) * Batch;

    [Benchmark(Baseline = true)]
    public float OneCore()
    {
        _data.Gather(_order, NextStart(), 0, Batch, _inputs.Span, _targets);
        Array.Clear(_gradient);
        float loss = _network.BackwardBatch(_inputs.Span[..(Batch * 784)], _targets, Batch, _gradient);
        ((IOptimizer)_oneCoreAdam).Step(_network.Parameters, _gradient, 1e-5f);
        return loss;
    }

    [Benchmark]
    public float TeamOfTwo()
    {
        float loss = _team.Gradients(_data, _order, NextStart(), Batch, _inputs, _targets, 1);
        _team.Update(1e-5f);
        return loss;
    }
}

/// <summary>
/// One plain SGD step of one batch, the unit that <c>DataParallel.MinTeamShare</c> decides on with plain SGD: one core's
/// gather and <c>TrainBatch</c> (fused up to 32 samples: no gradient buffer) against a team of two taking the same step
/// (<see cref="ISharedBatch.TrainBatchPart"/>); <c>OnePart</c> is the team's code on one thread alone. Read the ratio
/// beside <see cref="AllCoresCeiling"/>'s in the same run, and the Min column on a noisy VM.
/// </summary>
public class TeamSgdStep
{
    [Params("784-128-10", "784-256-128-10")]
    public string Shape { get; set; } = "784-128-10";

    [Params(16, 32, 128)]
    public int Batch { get; set; }

    private INetwork _network = null!;
    private Dataset _data = null!;
    private int[] _order = null!;
    private AlignedBuffer _inputs;
    private float[] _targets = null!;
    private DataParallel _team = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _network = Shape == "784-128-10" ? new Net784x128x10() : new Net784x256x128x10();
        _network.InitializeParameters(1);
        const int count = 1024;
        var random = new Random(1);
        var labels = Enumerable.Range(0, count).Select(_ => random.Next(10)).ToArray();
        var x = new float[count * 784];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        _data = new Dataset(x, OneHot.Encode(labels, 10), 784, 10);
        _order = Enumerable.Range(0, count).ToArray();
        _inputs = new AlignedBuffer(Batch * 784);
        _targets = new float[Batch * 10];
        _team = DataParallel.TryCreateTeam(_network, 2, new Sgd(), clipNorm: null, fusedSgd: true) ?? throw new InvalidOperationException("no team");
    }

    [GlobalCleanup]
    public void Cleanup() => _team.Dispose();

    private int NextStart() => (_next = (_next + 1) % (1024 / Batch)) * Batch;

    [Benchmark(Baseline = true)]
    public float OneCore()
    {
        _data.Gather(_order, NextStart(), 0, Batch, _inputs.Span, _targets);
        return _network.TrainBatch(_inputs.Span[..(Batch * 784)], _targets, Batch, 1e-5f);
    }

    private readonly SpinBarrier _one = new(1);

    [Benchmark]
    public float OnePart()
    {
        _data.Gather(_order, NextStart(), 0, Batch, _inputs.Span, _targets);
        return ((ISharedBatch)_network).TrainBatchPart(_inputs.Span[..(Batch * 784)], _targets, Batch, 1e-5f, 0, 1, _one);
    }

    [Benchmark]
    public float TeamOfTwo() => _team.TrainBatch(_data, _order, NextStart(), Batch, _inputs, _targets, 1e-5f);
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
