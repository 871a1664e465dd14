using System;
using System.Numerics.Tensors;
using System.Threading;
using FixedNet.Data;
using FixedNet.Runtime;

namespace FixedNet.Training;

/// <summary>
/// The data-parallel step of <see cref="Trainer{TNetwork}"/>: one mini-batch split into contiguous shards, one per
/// worker; each worker gathers its shard's samples and runs its own network (the trained one for worker 0, clones for
/// the others) through <c>BackwardBatch</c> into its own gradient buffer. Then each worker takes one range of the
/// parameters: it sums the shards' gradients there in shard order, weighted by shard size (the batch's mean gradient),
/// applies the optimizer's element-wise update to that range, and copies the new values into every clone.
/// <para>
/// Workers are threads that live as long as the <see cref="Trainer{TNetwork}.Fit"/> call (two barrier crossings per phase, two phases
/// per batch); the batch loop allocates nothing. The result depends only on the data, the seed and the number of shards,
/// never on thread timing: the same run gives the same bits every time.
/// </para>
/// </summary>
internal sealed class DataParallel : IDisposable
{
    /// <summary>
    /// The least work worth a shard, in parameters × samples (≈ 6 flops each, forward and backward): below it, the
    /// barrier crossings and the gradient reduction cost more than the second core saves (measured: see
    /// benchmarks/README.md, "All cores"). 784-128-10 (101,770 parameters) splits from 11 samples per shard, the
    /// digits sample's 64-64-10 (4,810) from 218, so its batches of 32 stay on one core.
    /// </summary>
    internal const long MinShardWork = 1L << 20;

    private readonly INetwork[] _networks;
    private readonly AlignedBuffer[] _gradients;
    private readonly float[] _losses;
    private readonly Exception?[] _errors;
    private readonly Barrier _barrier;
    private readonly Thread[] _threads;
    private readonly int _parameterCount;

    // The batch in flight, set by the trainer's thread before each phase (the barrier publishes it).
    private Phase _phase;
    private Dataset? _data;
    private int[]? _order;
    private AlignedBuffer _inputs;
    private float[]? _targets;
    private int _start, _count, _shards;
    private IRangeOptimizer? _optimizer;

    private enum Phase { Gradients, Update, Exit }

    private DataParallel(INetwork network, INetwork[] clones)
    {
        int workers = clones.Length + 1;
        _networks = new INetwork[workers];
        _networks[0] = network;
        clones.CopyTo(_networks, 1);
        _parameterCount = network.ParameterCount;
        _gradients = new AlignedBuffer[workers];
        for (int w = 0; w < workers; w++) _gradients[w] = new AlignedBuffer(_parameterCount);
        _losses = new float[workers];
        _errors = new Exception?[workers];
        _barrier = new Barrier(workers);
        _threads = new Thread[workers - 1];
        for (int w = 1; w < workers; w++)
        {
            int index = w;
            _threads[w - 1] = new Thread(() => Work(index)) { IsBackground = true, Name = "FixedNet trainer worker " + index };
            _threads[w - 1].Start();
        }
    }

    /// <summary>Workers for <paramref name="network"/>, or null when one core is all it can use: one worker asked for, or a network that cannot be cloned.</summary>
    public static DataParallel? TryCreate(INetwork network, int workers)
    {
        if (workers <= 1) return null;
        var clones = new INetwork[workers - 1];
        try
        {
            for (int w = 0; w < clones.Length; w++) clones[w] = network.Clone();
        }
        catch (NotSupportedException)
        {
            return null; // an INetwork of a third party without Clone(): trains on one core, as before
        }
        return new DataParallel(network, clones);
    }

    public int Workers => _networks.Length;

    /// <summary>How many shards a batch of <paramref name="count"/> samples splits into: each at least <see cref="MinShardWork"/>, at most one per worker.</summary>
    public int ShardsFor(int count) => ShardsFor(_parameterCount, count, Workers);

    /// <inheritdoc cref="ShardsFor(int)"/>
    public static int ShardsFor(int parameterCount, int count, int workers)
    {
        long minimumSamples = Math.Max(1, (MinShardWork + parameterCount - 1) / parameterCount);
        return (int)Math.Clamp(count / minimumSamples, 1, Math.Max(1, workers));
    }

    /// <summary>The mean gradient of the batch, over <paramref name="shards"/> workers; returns the batch's mean loss (non-finite: nothing was updated).</summary>
    public float Gradients(Dataset data, int[] order, int start, int count, AlignedBuffer inputs, float[] targets, int shards)
    {
        (_data, _order, _start, _count, _inputs, _targets, _shards) = (data, order, start, count, inputs, targets, shards);
        Run(Phase.Gradients);
        double loss = 0;
        for (int s = 0; s < shards; s++) loss += (double)_losses[s] * ShardSize(s);
        return (float)(loss / count);
    }

    /// <summary>Sums the shards' gradients, applies <paramref name="optimizer"/> (after its <c>BeginStep</c>) and copies the new parameters into every clone.</summary>
    public void Update(IRangeOptimizer optimizer)
    {
        _optimizer = optimizer;
        Run(Phase.Update);
    }

    /// <summary>Copies the trained network's parameters into every clone (after the trainer set them: start, reset, best epoch).</summary>
    public void Synchronize()
    {
        var parameters = _networks[0].Parameters;
        for (int w = 1; w < _networks.Length; w++) parameters.CopyTo(_networks[w].Parameters);
    }

    private int ShardStart(int s) => (int)((long)_count * s / _shards);

    private int ShardSize(int s) => ShardStart(s + 1) - ShardStart(s);

    private void Run(Phase phase)
    {
        _phase = phase;
        _barrier.SignalAndWait();
        RunPhase(0);
        _barrier.SignalAndWait();
        for (int w = 0; w < _errors.Length; w++)
        {
            if (_errors[w] is { } error)
            {
                Array.Clear(_errors);
                throw new InvalidOperationException("A training worker failed: " + error.Message, error);
            }
        }
    }

    private void Work(int worker)
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (_phase == Phase.Exit) return;
            RunPhase(worker);
            _barrier.SignalAndWait();
        }
    }

    private void RunPhase(int worker)
    {
        try
        {
            if (_phase == Phase.Gradients) ShardGradient(worker);
            else UpdateRange(worker);
        }
        catch (Exception exception)
        {
            _errors[worker] = exception;
        }
    }

    // Worker w: gathers samples [lo, hi) of the batch into the shared batch buffers (its own rows), then ∇ of its shard.
    private void ShardGradient(int worker)
    {
        if (worker >= _shards) return;
        var data = _data!;
        int inputSize = data.InputSize, outputSize = data.TargetSize;
        int lo = ShardStart(worker), hi = ShardStart(worker + 1);
        var inputs = _inputs.Span;
        var targets = _targets.AsSpan();
        for (int k = lo; k < hi; k++)
        {
            data.Input(_order![_start + k]).CopyTo(inputs.Slice(k * inputSize, inputSize));
            data.Target(_order[_start + k]).CopyTo(targets.Slice(k * outputSize, outputSize));
        }
        var gradient = _gradients[worker].Span;
        gradient.Clear();
        _losses[worker] = _networks[worker].BackwardBatch(inputs[(lo * inputSize)..(hi * inputSize)], targets[(lo * outputSize)..(hi * outputSize)], hi - lo, gradient);
    }

    // Worker w: parameters [lo, hi) (cut on 16-float boundaries): g = Σ_s (m_s/m)·g_s in shard order, the update, the copies.
    private void UpdateRange(int worker)
    {
        int workers = _networks.Length;
        int lo = RangeStart(worker, workers), hi = RangeStart(worker + 1, workers);
        if (hi <= lo) return;
        var sum = _gradients[0].Span[lo..hi];
        float total = _count;
        TensorPrimitives.Multiply(sum, ShardSize(0) / total, sum);
        for (int s = 1; s < _shards; s++)
            TensorPrimitives.MultiplyAdd(_gradients[s].Span[lo..hi], ShardSize(s) / total, sum, sum);
        var parameters = _networks[0].Parameters[lo..hi];
        _optimizer!.StepRange(parameters, sum, lo);
        for (int w = 1; w < workers; w++) parameters.CopyTo(_networks[w].Parameters[lo..hi]);
    }

    private int RangeStart(int worker, int workers) =>
        worker >= workers ? _parameterCount : Math.Min(_parameterCount, (int)((long)_parameterCount * worker / workers) & ~15);

    public void Dispose()
    {
        _phase = Phase.Exit;
        _barrier.SignalAndWait();
        foreach (var thread in _threads) thread.Join();
        _barrier.Dispose();
    }
}
