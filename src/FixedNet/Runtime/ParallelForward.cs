using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;

namespace FixedNet.Runtime;

/// <summary>A static, thread-safe forward pass of <paramref name="batchSize"/> samples (a frozen network's), which <see cref="ParallelForward"/> runs on each shard.</summary>
public delegate void BatchForward(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize);

/// <summary>
/// <c>ForwardBatch</c> of a generated network on several cores: a large batch is split into contiguous shards of whole
/// chunks of 32 samples (the generated batch code's chunk, so every sample goes through the same tiles as on one core
/// and the outputs are the same bits), and each shard runs on its own clone of the network (its own scratch; the
/// parameters are copied in at each call), or for a frozen network on the static pass itself, on long-lived worker threads. The calling thread runs the first shard.
/// <para>
/// The split is taken when each shard gets at least <see cref="MinShardWork"/> parameter·samples and is otherwise the
/// single-core call. One split runs at a time in the process: a <c>ForwardBatch</c> on another thread meanwhile runs on
/// its own core, as do calls made inside a shard. <see cref="DegreeOfParallelism"/> sets the number of cores (null:
/// every core the process may use; 1: never split). After the first split of a network (which creates its clones) a
/// call allocates nothing.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class ParallelForward
{
    /// <summary>
    /// The least work worth a shard, in parameters × samples (2²², about 8 Mflop, about 0.1–0.2 ms on one core): a split
    /// costs a wake-up of the workers, a copy of the parameters into each clone and a wait for the last shard.
    /// </summary>
    public const long MinShardWork = 1L << 22;

    /// <summary>The chunk of the generated batch code: shards are whole multiples of it, so the split does not change a bit of the outputs.</summary>
    public const int Chunk = 32;

    /// <summary>Cores that a large <c>ForwardBatch</c> may use: null (the default) for every core the process may use (<see cref="Environment.ProcessorCount"/>), 1 to keep every call on its own thread.</summary>
    public static int? DegreeOfParallelism
    {
        get => s_degreeOfParallelism;
        set
        {
            if (value is <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "DegreeOfParallelism must be positive (or null for every core).");
            s_degreeOfParallelism = value;
        }
    }

    private static int? s_degreeOfParallelism;
    private static readonly object s_gate = new();
    private static readonly ConditionalWeakTable<INetwork, INetwork[]> s_clones = new();
    private static Worker[] s_workers = [];
    private static CountdownEvent? s_done;
    [ThreadStatic] private static bool t_inShard;

    // The job of the current split, read by the workers between their start signal and their done signal.
    private static INetwork[] s_jobClones = [];
    private static BatchForward? s_jobForward;
    private static unsafe float* s_jobInputs, s_jobOutputs;
    private static int s_jobBatch, s_jobShards, s_jobInputSize, s_jobOutputSize;

    /// <summary>Splits taken so far (tests read it to know that a call really ran on several cores).</summary>
    internal static long Splits;

    /// <summary>How many shards a batch of <paramref name="batchSize"/> splits into: whole chunks, each at least <see cref="MinShardWork"/>, at most one per core.</summary>
    public static int ShardsFor(int parameterCount, int batchSize, int cores)
    {
        long chunks = (batchSize + (long)Chunk - 1) / Chunk;
        long byWork = (long)parameterCount * batchSize / MinShardWork;
        return (int)Math.Clamp(Math.Min(chunks, byWork), 1, Math.Max(1, cores));
    }

    /// <summary>
    /// Runs <c>network.ForwardBatch</c> split over the cores and returns true, or returns false (having done nothing)
    /// where the batch is too small, one core is asked for, another split is running, the call comes from inside a
    /// shard, or the network cannot be cloned. The arguments have been checked by the caller.
    /// </summary>
    public static bool TryRun(INetwork network, ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize)
    {
        if (!TryBegin(network.ParameterCount, batchSize, out int shards)) return false;
        try
        {
            var clones = ClonesOf(network, shards);
            if (clones is null) return false;
            for (int s = 0; s < shards; s++) network.Parameters.CopyTo(clones[s].Parameters);
            (s_jobClones, s_jobForward) = (clones, null);
            Split(inputs, outputs, batchSize, shards, network.InputSize, network.OutputSize);
            return true;
        }
        finally
        {
            Monitor.Exit(s_gate);
        }
    }

    /// <summary>
    /// The same for a static, thread-safe batch pass (a frozen network's <c>ForwardBatch</c>): the shards run
    /// <paramref name="forward"/> itself, side by side, with no clone.
    /// </summary>
    public static bool TryRun(BatchForward forward, int inputSize, int outputSize, int parameterCount, ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(forward);
        if (!TryBegin(parameterCount, batchSize, out int shards)) return false;
        try
        {
            (s_jobClones, s_jobForward) = ([], forward);
            Split(inputs, outputs, batchSize, shards, inputSize, outputSize);
            return true;
        }
        finally
        {
            Monitor.Exit(s_gate);
        }
    }

    // Whether to split, into how many shards; on true the caller holds s_gate and must release it.
    private static bool TryBegin(int parameterCount, int batchSize, out int shards)
    {
        shards = 0;
        if (t_inShard) return false;
        shards = ShardsFor(parameterCount, batchSize, DegreeOfParallelism ?? Environment.ProcessorCount);
        return shards > 1 && Monitor.TryEnter(s_gate);
    }

    private static unsafe void Split(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize, int shards, int inputSize, int outputSize)
    {
        EnsureWorkers(shards - 1);
        fixed (float* x = inputs)
        fixed (float* y = outputs)
        {
            s_jobInputs = x;
            s_jobOutputs = y;
            (s_jobBatch, s_jobShards, s_jobInputSize, s_jobOutputSize) = (batchSize, shards, inputSize, outputSize);
            s_done!.Reset(shards - 1);
            for (int w = 1; w < shards; w++) s_workers[w - 1].Start.Set();
            Exception? error = null;
            t_inShard = true;
            try
            {
                RunShard(0);
            }
            catch (Exception exception)
            {
                error = exception;
            }
            finally
            {
                t_inShard = false;
            }
            s_done.Wait(); // the spans stay pinned until every shard is done
            s_jobInputs = s_jobOutputs = null;
            s_jobForward = null;
            for (int w = 1; w < shards; w++)
            {
                error ??= s_workers[w - 1].Error;
                s_workers[w - 1].Error = null;
            }
            if (error is not null) throw new InvalidOperationException("A ForwardBatch shard failed: " + error.Message, error);
        }
        Interlocked.Increment(ref Splits);
    }

    // Shard s: chunks [chunks·s/shards, chunks·(s + 1)/shards), on clone s.
    private static unsafe void RunShard(int shard)
    {
        long chunks = (s_jobBatch + (long)Chunk - 1) / Chunk;
        int lo = (int)Math.Min(s_jobBatch, chunks * shard / s_jobShards * Chunk);
        int hi = (int)Math.Min(s_jobBatch, chunks * (shard + 1) / s_jobShards * Chunk);
        if (hi <= lo) return;
        int n = s_jobInputSize, m = s_jobOutputSize;
        var x = new ReadOnlySpan<float>(s_jobInputs + (long)lo * n, (hi - lo) * n);
        var y = new Span<float>(s_jobOutputs + (long)lo * m, (hi - lo) * m);
        if (s_jobForward is { } forward) forward(x, y, hi - lo);
        else s_jobClones[shard].ForwardBatch(x, y, hi - lo);
    }

    // One clone per shard, kept with the network (and collected with it); null for a network without Clone().
    private static INetwork[]? ClonesOf(INetwork network, int count)
    {
        if (s_clones.TryGetValue(network, out var clones) && clones.Length >= count) return clones;
        var grown = new INetwork[count];
        try
        {
            for (int s = 0; s < count; s++) grown[s] = clones is not null && s < clones.Length ? clones[s] : network.Clone();
        }
        catch (NotSupportedException)
        {
            return null;
        }
        s_clones.AddOrUpdate(network, grown);
        return grown;
    }

    private static void EnsureWorkers(int count)
    {
        if (s_done is null)
        {
            s_done = new CountdownEvent(1);
            // A wait that blocks creates the event's lock object (24 bytes) the first time: a timed wait does it now, so
            // that a split whose caller has to block later (its workers slow to finish) allocates nothing.
            s_done.Wait(1);
        }
        if (s_workers.Length >= count) return;
        var workers = new Worker[count];
        s_workers.CopyTo(workers, 0);
        for (int w = s_workers.Length; w < count; w++) workers[w] = new Worker(w + 1);
        s_workers = workers;
    }

    // A long-lived background thread that runs shard `shard` of each split it is woken for.
    private sealed class Worker
    {
        public readonly ManualResetEventSlim Start = new(false);
        public Exception? Error;

        public Worker(int shard)
        {
            new Thread(() => Loop(shard)) { IsBackground = true, Name = "FixedNet ForwardBatch worker " + shard }.Start();
        }

        private void Loop(int shard)
        {
            t_inShard = true; // a network called inside a shard runs on this thread only
            while (true)
            {
                Start.Wait();
                Start.Reset();
                try
                {
                    RunShard(shard);
                }
                catch (Exception exception)
                {
                    Error = exception;
                }
                s_done!.Signal();
            }
        }
    }
}
