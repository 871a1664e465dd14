using System;
using System.Numerics.Tensors;
using System.Threading;
using FixedNet.Data;
using FixedNet.Runtime;

namespace FixedNet.Training;

/// <summary>
/// The data-parallel step of <see cref="Trainer{TNetwork}"/>: one mini-batch split into contiguous shards, one per
/// worker; each worker gathers its shard's samples and runs its own network (the trained one for worker 0, clones for
/// the others) through <c>BackwardBatch</c> into its own gradient buffer. Then every worker sums all the shards'
/// gradients in shard order, weighted by shard size (the batch's mean gradient), and applies the update to its own
/// copy of the parameters with its own replica of the optimizer: the same sums and the same element-wise updates give
/// every copy the same bits, and no parameter is written by one core and read by another.
/// <para>
/// Workers are threads that live as long as the <see cref="Trainer{TNetwork}.Fit"/> call (two barrier crossings per
/// phase, two phases per batch); they wait by spinning, and after a millisecond by blocking (<see cref="SpinBarrier"/>); the
/// batch loop allocates nothing. In team mode the trainer may give a batch to its own thread alone instead (<see cref="TeamSchedule"/>).
/// The result depends only on the data, the seed and the number of shards, never on thread timing: the same run gives
/// the same bits every time.
/// </para>
/// <para>
/// Team mode (<see cref="TryCreateTeam"/>), for networks that implement <see cref="ISharedBatch"/>: every worker runs its
/// share of each layer of the whole batch on the trained network itself (<see cref="ISharedBatch.BackwardBatchPart"/>),
/// into one gradient, then steps the parameters whose gradient it wrote (<see cref="SharedBatch.ParameterShare"/>: the
/// rows of W its forward share reads next) through the trainer's optimizer. Every value is
/// computed by one core in the order one core alone would use, so the parameters have the same bits on any number of
/// cores, and nothing is reduced: no pass over every shard's gradient, no replica of the optimizer. With plain SGD
/// (no optimizer object, no clipping) the team takes the step itself (<see cref="ISharedBatch.TrainBatchPart"/>), as one
/// core's fused <c>TrainBatch</c> does: each worker moves its columns of a layer's weights right after it has taken the
/// delta below from them.
/// </para>
/// </summary>
internal sealed class DataParallel : IDisposable
{
    /// <summary>
    /// The least work for each worker of a team, in parameters × samples per batch (about 6 flops each: 2²⁰ is some
    /// 6 Mflop, a few tens of microseconds), against about 2 barrier crossings (0.2 µs each on the 2-vCPU Xeon VM) per
    /// layer and chunk of 32 samples and the batch's phases. BenchmarkDotNet's <c>TeamStep</c> (benchmarks/README.md, "All
    /// cores") measured a team of two at 0.70–0.78 of one core's <c>BackwardBatch</c> and Adam step from 784-128-10 at batch
    /// 32 (1.6 M per worker) up, against a ceiling of 0.66; with plain SGD, the team's fused step took 0.64–0.71 of one
    /// core's <c>TrainBatch</c> there, 0.55–0.71 for 784-128-10 at batch 16 (0.8 M per worker: below the rule, which
    /// leaves a margin for the VM's noise) and 0.7–1.5 for 784-256-128-10 at batch 8 (0.9 M).
    /// </summary>
    internal const long MinTeamShare = 1L << 20;

    /// <summary>
    /// The least work worth a shard, in parameters × samples (≈ 6 flops each, forward and backward): below it, the
    /// barrier crossings cost more than the second core saves. The digits sample's 64-64-10 (4,810 parameters) splits
    /// only from 218 samples per shard, so its batches stay on one core.
    /// </summary>
    internal const long MinShardWork = 1L << 20;

    /// <summary>
    /// The fewest samples in a shard, whatever the network: each batch costs every worker a pass over all the shards'
    /// gradients and its own parameters (memory traffic in proportion to the parameters, as the compute is in
    /// proportion to parameters × samples), so only the samples per shard decide whether the split pays. Measured on a
    /// 2-vCPU Xeon VM, 784-256-128-10 with SGD, one core against two, in a Stopwatch harness: shards of 16 samples
    /// 0.4–0.5× (slower), 32 1.0×, 64 1.2–1.25×, 128 1.4–1.5×; BenchmarkDotNet runs at shards of 64 swung from 0.79 to
    /// 1.31 of one core's time on that VM. 128 is where the gain was clear (benchmarks/README.md, "All cores").
    /// </summary>
    internal const int MinShardSamples = 128;

    /// <summary>With <see cref="TrainerOptions.ReproducibleAcrossCores"/>, batches split as for this many cores, whatever the number of workers.</summary>
    internal const int ReproducibleShards = 16;

    private readonly INetwork[] _networks;
    private readonly AlignedBuffer[] _gradients;
    private readonly AlignedBuffer[] _sums;
    private readonly IRangeOptimizer[] _optimizers;
    private readonly float[] _losses;
    private readonly Exception?[] _errors;
    private readonly long[] _allocated, _compiled; // each worker thread's allocation and JIT counters after its last phase (a test reads them)
    private readonly SpinBarrier _barrier;
    private readonly Thread[] _threads;
    private readonly int _parameterCount;
    private readonly int _fixedShards; // 0: one shard per worker at most; else the shard count for this many cores, any number of workers
    private readonly ISharedBatch? _team; // team mode: the trained network, which every worker runs its share of
    private readonly SpinBarrier? _teamBarrier; // where the workers meet inside a batch, in team mode
    private readonly bool _fusedSgd; // team mode with plain SGD: TrainBatchPart, one phase per batch
    private readonly int[][] _shares = []; // team mode: each worker's parameters as [from, to) pairs (SharedBatch.ParameterShare)

    // The batch in flight, set by the trainer's thread before each phase (the barrier publishes it).
    private Phase _phase;
    private Dataset? _data;
    private int[]? _order;
    private AlignedBuffer _inputs;
    private float[]? _targets;
    private int _start, _count, _shards;
    private ulong _dropoutState; // the trained network's dropout position at the start of the batch
    private float _rate;
    private float _clipCoefficient = 1f; // team mode: the step's clipping coefficient, set by Update

    // Evaluation: each worker's chunk outputs, summed loss and correct count.
    private readonly float[][] _outputs;
    private readonly Evaluator.Sums[] _evaluationSums;
    private int _evaluationWorkers;

    private enum Phase { Gradients, Update, Train, Evaluate, Exit }

    private readonly float? _clipNorm;

    private DataParallel(INetwork network, INetwork[] clones, IRangeOptimizer optimizer, float? clipNorm, int fixedShards, int maxBatch, bool team = false, bool fusedSgd = false)
    {
        _fusedSgd = fusedSgd;
        _clipNorm = clipNorm;
        _fixedShards = fixedShards;
        int workers = clones.Length + 1;
        if (team)
        {
            _team = (ISharedBatch)network;
            _teamBarrier = new SpinBarrier(workers);
            var layers = network.Architecture.Layers;
            var sizes = new int[layers.Count + 1];
            sizes[0] = network.InputSize;
            for (int l = 0; l < layers.Count; l++) sizes[l + 1] = layers[l].Size;
            _shares = new int[workers][];
            for (int w = 0; w < workers; w++)
            {
                _shares[w] = new int[4 * layers.Count];
                SharedBatch.ParameterShare(sizes, w, workers, _shares[w]);
            }
        }
        // a gradient buffer per shard of the largest batch (at least one per worker)
        int shards = team ? 1 : fixedShards == 0 ? workers : Math.Max(workers, ShardsFor(network.ParameterCount, maxBatch, fixedShards));
        _networks = new INetwork[workers];
        _networks[0] = network;
        clones.CopyTo(_networks, 1);
        _parameterCount = network.ParameterCount;
        _gradients = new AlignedBuffer[shards];
        for (int s = 0; s < shards; s++) _gradients[s] = new AlignedBuffer(_parameterCount);
        _sums = new AlignedBuffer[workers];
        _optimizers = new IRangeOptimizer[workers];
        for (int w = 0; w < workers; w++)
        {
            _sums[w] = new AlignedBuffer(team ? 0 : _parameterCount); // team mode sums nothing
            _optimizers[w] = w == 0 || team ? optimizer : optimizer.Replicate(); // team mode: one optimizer, stepped by ranges
        }
        _losses = new float[shards];
        _errors = new Exception?[workers];
        _allocated = new long[workers];
        _compiled = new long[workers];
        _outputs = new float[workers][];
        for (int w = 0; w < workers; w++) _outputs[w] = new float[Evaluator.Chunk * network.OutputSize];
        _evaluationSums = new Evaluator.Sums[workers];
        for (int w = 0; w < workers; w++) _evaluationSums[w] = new Evaluator.Sums(network.OutputSize);
        _barrier = new SpinBarrier(workers);
        _threads = new Thread[workers - 1];
        for (int w = 1; w < workers; w++)
        {
            int index = w;
            _threads[w - 1] = new Thread(() => Work(index)) { IsBackground = true, Name = "FixedNet trainer worker " + index };
            _threads[w - 1].Start();
        }
    }

    /// <summary>
    /// Workers for <paramref name="network"/>, which <paramref name="optimizer"/> (the trainer's, used by worker 0;
    /// the others get replicas) updates, after clipping the gradient to <paramref name="clipNorm"/> if given; null when
    /// one core is all it can use: one worker asked for (unless <paramref name="fixedShards"/> is set: then one worker runs
    /// every shard), or a network that cannot be cloned. With <paramref name="fixedShards"/>, batches hold at most
    /// <paramref name="maxBatch"/> samples.
    /// </summary>
    public static DataParallel? TryCreate(INetwork network, int workers, IRangeOptimizer? optimizer = null, float? clipNorm = null, int fixedShards = 0, int maxBatch = int.MaxValue)
    {
        if (workers <= 1 && fixedShards == 0) return null;
        // an INetwork of a third party without Clone() trains on one core, as before; with fixed shards, through this same
        // path on one worker, so that its bits do not depend on the cores either
        var clones = Clones(network, Math.Max(1, workers) - 1);
        if (clones is null && fixedShards == 0) return null;
        return new DataParallel(network, clones ?? [], optimizer ?? new Sgd(), clipNorm, fixedShards, maxBatch);
    }

    /// <summary>
    /// Team-mode workers for <paramref name="network"/> (see the class remarks); null where it does not implement
    /// <see cref="ISharedBatch"/>, cannot be cloned (the clones evaluate), or one worker is asked for. With
    /// <paramref name="fusedSgd"/> (plain SGD, no clipping) the batches go through <see cref="TrainBatch"/>.
    /// </summary>
    public static DataParallel? TryCreateTeam(INetwork network, int workers, IRangeOptimizer optimizer, float? clipNorm, bool fusedSgd = false)
    {
        if (workers <= 1 || network is not ISharedBatch) return null;
        return Clones(network, workers - 1) is { } clones ? new DataParallel(network, clones, optimizer, clipNorm, 0, 1, team: true, fusedSgd: fusedSgd && clipNorm is null) : null;
    }

    // count clones of network; null where it does not support Clone().
    private static INetwork[]? Clones(INetwork network, int count)
    {
        var clones = new INetwork[count];
        try
        {
            for (int w = 0; w < count; w++) clones[w] = network.Clone();
        }
        catch (NotSupportedException)
        {
            return null;
        }
        return clones;
    }

    /// <summary>
    /// How many of <paramref name="cores"/> workers a team gives batches of <paramref name="batchSize"/> samples: each at
    /// least <see cref="MinTeamShare"/>; 1 means no team. The same rule holds for plain SGD, whose team takes the fused
    /// step (<see cref="TrainBatch"/>) as one core does.
    /// </summary>
    public static int TeamWorkers(int parameterCount, int batchSize, int cores) =>
        (int)Math.Clamp((long)parameterCount * batchSize / MinTeamShare, 1, Math.Max(1, cores));

    /// <summary>
    /// Batches run in team mode so far by calls from this thread (tests read it to know that the team ran; per thread, so
    /// that tests running at the same time on other threads do not count).
    /// </summary>
    [ThreadStatic] internal static long TeamBatches;

    /// <summary>Whether these workers run in team mode.</summary>
    public bool IsTeam => _team is not null;

    /// <summary>Whether batches go through <see cref="TrainBatch"/> (a team with plain SGD) rather than <see cref="Gradients"/> and <see cref="Update"/>.</summary>
    public bool FusesSgd => _fusedSgd;

    /// <summary>
    /// One plain SGD step on the batch by the whole team (<see cref="ISharedBatch.TrainBatchPart"/>), the same bits as
    /// the network's <c>TrainBatch</c> on one core; returns the mean loss before the update. Like <c>TrainBatch</c>, it
    /// steps whatever the loss.
    /// </summary>
    public float TrainBatch(Dataset data, int[] order, int start, int count, AlignedBuffer inputs, float[] targets, float learningRate)
    {
        if (!_fusedSgd) throw new InvalidOperationException("These workers do not take plain SGD steps.");
        (_data, _order, _start, _count, _inputs, _targets, _rate) = (data, order, start, count, inputs, targets, learningRate);
        Run(Phase.Train);
        TeamBatches++;
        return _losses[0];
    }

    public int Workers => _networks.Length;

    /// <summary>How many shards a batch of <paramref name="count"/> samples splits into: each at least <see cref="MinShardSamples"/> samples and <see cref="MinShardWork"/>, at most one per worker.</summary>
    public int ShardsFor(int count) => ShardsFor(_parameterCount, count, _fixedShards > 0 ? _fixedShards : Workers);

    /// <inheritdoc cref="ShardsFor(int)"/>
    public static int ShardsFor(int parameterCount, int count, int workers)
    {
        long minimumSamples = Math.Max(MinShardSamples, (MinShardWork + parameterCount - 1) / parameterCount);
        return (int)Math.Clamp(count / minimumSamples, 1, Math.Max(1, workers));
    }

    /// <summary>The mean gradient of the batch, over <paramref name="shards"/> workers; returns the batch's mean loss (non-finite: nothing was updated).</summary>
    public float Gradients(Dataset data, int[] order, int start, int count, AlignedBuffer inputs, float[] targets, int shards)
    {
        (_data, _order, _start, _count, _inputs, _targets, _shards) = (data, order, start, count, inputs, targets, shards);
        _dropoutState = _networks[0].DropoutState;
        Run(Phase.Gradients);
        _networks[0].DropoutState = _dropoutState + (ulong)count; // past every shard's samples, as one core would be
        if (_team is not null)
        {
            TeamBatches++;
            return _losses[0]; // part 0's: the batch's mean loss
        }
        double loss = 0;
        for (int s = 0; s < shards; s++) loss += (double)_losses[s] * ShardSize(s);
        return (float)(loss / count);
    }

    /// <summary>Every worker sums the shards' gradients and updates its own copy of the parameters at <paramref name="learningRate"/>.</summary>
    public void Update(float learningRate)
    {
        _rate = learningRate;
        if (_team is not null)
        {
            // once, for every range: the optimizer's step, and the clipping coefficient from the norm of the whole gradient
            // (taken here, before any worker scales its range)
            _optimizers[0].BeginStep(learningRate);
            _clipCoefficient = _clipNorm is { } maxNorm ? GradientClipping.Coefficient(_gradients[0].Span, maxNorm) : 1f;
        }
        Run(Phase.Update);
    }

    /// <summary>
    /// How many workers evaluate <paramref name="count"/> samples: each gets whole chunks and at least
    /// 3 · <see cref="MinShardWork"/> parameter·samples (a forward pass is about a third of a training step's work).
    /// </summary>
    public static int EvaluationWorkers(int parameterCount, int count, int workers)
    {
        int chunks = (count + Evaluator.Chunk - 1) / Evaluator.Chunk;
        long byWork = (long)parameterCount * count / (3 * MinShardWork);
        return (int)Math.Clamp(Math.Min(byWork, chunks), 1, Math.Max(1, workers));
    }

    /// <summary>Loss and accuracy of the trained network (and its clones, which hold the same parameters) on <paramref name="data"/>; chunk c goes to worker c mod workers, the sums are taken in worker order.</summary>
    public Evaluation Evaluate(Dataset data)
    {
        _data = data;
        _evaluationWorkers = EvaluationWorkers(_parameterCount, data.Count, Workers);
        Run(Phase.Evaluate);
        var sums = _evaluationSums[0];
        for (int w = 1; w < _evaluationWorkers; w++) sums.Add(_evaluationSums[w]);
        return sums.ToEvaluation(data.Count);
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
            if (_phase == Phase.Gradients)
            {
                if (_team is not null) TeamGradient(worker);
                else ShardGradient(worker);
            }
            else if (_phase == Phase.Train)
            {
                TeamTrain(worker);
            }
            else if (_phase == Phase.Update)
            {
                if (_team is not null) TeamUpdate(worker);
                else UpdateReplica(worker);
            }
            else if (worker < _evaluationWorkers)
            {
                // in team mode only the trained network moved: its clone takes its parameters first
                if (_team is not null && worker > 0) _networks[0].Parameters.CopyTo(_networks[worker].Parameters);
                _evaluationSums[worker].Clear();
                Evaluator.Chunks(_networks[worker], _data!, worker, _evaluationWorkers, _outputs[worker], _evaluationSums[worker]);
            }
        }
        catch (Exception exception)
        {
            _errors[worker] = exception;
        }
        _allocated[worker] = GC.GetAllocatedBytesForCurrentThread();
        _compiled[worker] = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true);
    }

    /// <summary>Bytes the worker threads (not the caller's) have allocated, as of their last phase: the allocation test reads it.</summary>
    internal long WorkerAllocatedBytes => SumOfWorkers(_allocated);

    /// <summary>Methods the JIT compiled on the worker threads, as of their last phase.</summary>
    internal long WorkerCompiledMethods => SumOfWorkers(_compiled);

    private static long SumOfWorkers(long[] counters)
    {
        long sum = 0;
        for (int w = 1; w < counters.Length; w++) sum += counters[w];
        return sum;
    }

    // Worker w: shards w, w + W, w + 2W, …: gathers the shard's samples [lo, hi) of the batch into the shared batch
    // buffers (its own rows), then the shard's gradient into the shard's own buffer.
    private void ShardGradient(int worker)
    {
        var data = _data!;
        int inputSize = data.InputSize, outputSize = data.TargetSize;
        var inputs = _inputs.Span;
        var targets = _targets.AsSpan();
        for (int shard = worker; shard < _shards; shard += Workers)
        {
            int lo = ShardStart(shard), hi = ShardStart(shard + 1);
            data.Gather(_order!, _start, lo, hi, inputs, targets);
            var gradient = _gradients[shard].Span;
            gradient.Clear();
            // the dropout masks of sample k of the batch are those one core would draw: from position state + k
            _networks[worker].DropoutState = _dropoutState + (ulong)lo;
            _losses[shard] = _networks[worker].BackwardBatch(inputs[(lo * inputSize)..(hi * inputSize)], targets[(lo * outputSize)..(hi * outputSize)], hi - lo, gradient);
        }
    }

    // Team mode, worker w: gathers its run of the batch's samples and clears its range of the gradient; then, once every
    // worker has, its share of each layer of the whole batch. Nothing is left to reduce: each gradient value was summed by one worker.
    private void TeamGradient(int worker)
    {
        int inputSize = _data!.InputSize, outputSize = _data.TargetSize, workers = Workers;
        var inputs = _inputs.Span;
        var targets = _targets.AsSpan();
        GatherRun(worker);
        var gradient = _gradients[0].Span;
        var share = _shares[worker];
        for (int r = 0; r < share.Length; r += 2) gradient[share[r]..share[r + 1]].Clear();
        _teamBarrier!.SignalAndWait();
        float loss = _team!.BackwardBatchPart(inputs[..(_count * inputSize)], targets[..(_count * outputSize)], _count, gradient, worker, workers, _teamBarrier);
        if (worker == 0) _losses[0] = loss; // the mean loss; the other parts return 0
    }

    // Team mode with plain SGD, worker w: gathers its run of the batch's samples, then its share of the whole step.
    private void TeamTrain(int worker)
    {
        int inputSize = _data!.InputSize, outputSize = _data.TargetSize;
        GatherRun(worker);
        _teamBarrier!.SignalAndWait();
        float loss = _team!.TrainBatchPart(_inputs.Span[..(_count * inputSize)], _targets.AsSpan(0, _count * outputSize), _count, _rate, worker, Workers, _teamBarrier);
        if (worker == 0) _losses[0] = loss;
    }

    // Team mode, worker w: samples [lo, hi) of the batch, its equal run, into the batch buffers.
    private void GatherRun(int worker)
    {
        int lo = (int)((long)_count * worker / Workers), hi = (int)((long)_count * (worker + 1) / Workers);
        if (lo < hi) _data!.Gather(_order!, _start, lo, hi, _inputs.Span, _targets);
    }

    // Team mode, worker w: its ranges of the trained network's parameters (those whose gradient it wrote), through the
    // trainer's own optimizer: its steps read the step's scalars and write only the state of their range, so the ranges can
    // run at once, and the optimizer keeps all its state for the next call. Clipping scales by Update's coefficient, from
    // the norm of the whole gradient.
    private void TeamUpdate(int worker)
    {
        var gradient = _gradients[0].Span;
        var parameters = _networks[0].Parameters;
        var share = _shares[worker];
        for (int r = 0; r < share.Length; r += 2)
        {
            int from = share[r], to = share[r + 1];
            if (from == to) continue;
            if (_clipCoefficient < 1f) VectorLoops.Multiply(gradient[from..to], _clipCoefficient, gradient[from..to]);
            _optimizers[0].StepRange(parameters[from..to], gradient[from..to], from); // BeginStep was taken by Update
        }
    }

    // Worker w: g = Σ_s (m_s/m)·g_s in shard order over all parameters, then its replica's update of its own copy.
    private void UpdateReplica(int worker)
    {
        var sum = _sums[worker].Span;
        float total = _count;
        VectorLoops.Multiply(_gradients[0].Span, ShardSize(0) / total, sum);
        for (int s = 1; s < _shards; s++)
            VectorLoops.MultiplyAdd(_gradients[s].Span, ShardSize(s) / total, sum, sum);
        if (_clipNorm is { } maxNorm) GradientClipping.Clip(sum, maxNorm); // every worker the same norm, the same bits
        var optimizer = _optimizers[worker];
        optimizer.BeginStep(_rate);
        optimizer.StepRange(_networks[worker].Parameters, sum, 0);
    }

    public void Dispose()
    {
        _phase = Phase.Exit;
        _barrier.SignalAndWait();
        foreach (var thread in _threads) thread.Join();
    }
}
