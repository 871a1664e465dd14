using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Threading;
using FixedNet.Data;
using FixedNet.Runtime;

namespace FixedNet.Training;

/// <summary>How <see cref="Trainer{TNetwork}"/> trains.</summary>
public sealed record TrainerOptions
{
    /// <summary>Number of passes over the training set.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Samples per mini-batch; each batch makes one update from its mean gradient (1/m)·Σ∇L.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The optimizer; plain <see cref="Sgd"/> when null (which uses the network's fused TrainBatch).</summary>
    public IOptimizer? Optimizer { get; init; }

    /// <summary>Learning rate per epoch; a float converts to a constant schedule.</summary>
    public LearningRateSchedule LearningRate { get; init; } = 0.01f;

    /// <summary>Seed of the per-epoch shuffling (and of the validation split).</summary>
    public int Seed { get; init; }

    /// <summary>When no validation set is given, this fraction of the training set is held out for validation (0 for none).</summary>
    public double ValidationFraction { get; init; }

    /// <summary>
    /// Stop after this many epochs without a lower validation loss; null never stops early. When set, <see cref="Trainer{TNetwork}.Fit"/>
    /// always ends on the parameters of the epoch with the lowest finite validation loss, whether patience ran out or the
    /// epochs did (as Keras's <c>EarlyStopping(restore_best_weights=True)</c>).
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>
    /// Cores to train on: null (the default) for all the process may use (<see cref="Environment.ProcessorCount"/>), 1 for
    /// one. A generated network without dropout (<see cref="Runtime.ISharedBatch"/>) trains each batch as a team: every
    /// core computes its share of each layer, then steps its range of the parameters, so the parameters are the same
    /// bits on any number of cores; it uses as many cores as give each at least 2²⁰ parameter × sample products per
    /// batch (784-128-10: two at batch 32). With plain SGD the team takes the fused step of <c>TrainBatch</c> together
    /// (<see cref="Runtime.ISharedBatch.TrainBatchPart"/>). While one core is measurably faster than the team (another
    /// process holds one of its cores), the batches go to the calling thread alone, with the same bits (README, "All
    /// cores": one core when the team is slower). Other networks that can be cloned split a batch into one shard
    /// per core, each run through a clone, and the shards' mean gradient makes one update, where each shard has at least
    /// 128 samples; across numbers of cores their results then differ by the rounding of the gradient sums. Batches with
    /// less work run on one core (see README, "All cores"). Validation uses the same cores. Either way a given number of
    /// cores gives the same bits on every run. Networks without <see cref="INetwork.Clone"/> and optimizers other than
    /// FixedNet's train on one core. <see cref="ReproducibleAcrossCores"/> makes the shards' result the same bits for
    /// every number of cores too.
    /// </summary>
    public int? DegreeOfParallelism { get; init; }

    /// <summary>
    /// True: the trained parameters are the same bits whatever <see cref="DegreeOfParallelism"/> is, so a run on a laptop
    /// repeats on a 16-core server, for every network. (A team on each batch, the default for generated networks without
    /// dropout, already gives one core's bits; this option replaces it with the shards below.) Each batch is then split
    /// into shards by its size and the network's alone (as for 16 cores; none under 256 samples), each core runs its
    /// share of the shards, and the shards' gradients are summed in shard order before one update, on one core as on many.
    /// What it costs one core: batches of at least 256 samples sum their shards' gradients (one more pass over them), and
    /// plain SGD loses its fused <c>TrainBatch</c> (the gradient goes through a buffer); measured in benchmarks/README.md
    /// ("All cores"). Validation losses may still differ in their last bits across core counts (their sums are taken per
    /// core), and early stopping compares them. False (the default): a team where the network allows it, else shards by
    /// the cores.
    /// </summary>
    public bool ReproducibleAcrossCores { get; init; }

    /// <summary>
    /// Clips each batch's gradient to this global L2 norm before the update, as torch.nn.utils.clip_grad_norm_
    /// (https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html): with ‖g‖ the norm over all
    /// parameters, <c>g ← g·min(1, max / (‖g‖ + 1e−6))</c>. Null (the default): no clipping. With plain SGD the update
    /// then goes through <c>BackwardBatch</c> and <see cref="Sgd"/> instead of the fused <c>TrainBatch</c>.
    /// </summary>
    public float? GradientClipNorm { get; init; }
}

/// <summary>Gradient clipping by global norm (<see cref="TrainerOptions.GradientClipNorm"/>).</summary>
internal static class GradientClipping
{
    /// <summary>Scales <paramref name="gradient"/> by min(1, max / (‖g‖₂ + 1e−6)), torch.nn.utils.clip_grad_norm_'s coefficient.</summary>
    public static void Clip(Span<float> gradient, float maxNorm)
    {
        float coefficient = Coefficient(gradient, maxNorm);
        if (coefficient < 1f) VectorLoops.Multiply(gradient, coefficient, gradient);
    }

    /// <summary>max / (‖g‖₂ + 1e−6): the gradient is scaled by it where it is below 1.</summary>
    public static float Coefficient(ReadOnlySpan<float> gradient, float maxNorm) => maxNorm / (TensorPrimitives.Norm<float>(gradient) + 1e-6f);
}

/// <summary>Why <see cref="Trainer{TNetwork}.Fit"/> stopped.</summary>
public enum StopReason
{
    /// <summary>All the epochs ran.</summary>
    Completed,

    /// <summary>The validation loss did not improve for <see cref="TrainerOptions.EarlyStoppingPatience"/> epochs.</summary>
    EarlyStopping,

    /// <summary>
    /// A batch's loss or the parameters after an epoch were not finite (NaN or ±∞):
    /// training diverged, typically from a learning rate too high. The network was reset to its parameters at the start
    /// of that epoch, which were finite (with early stopping, to those of the best epoch before it).
    /// </summary>
    NonFinite,
}

/// <summary>What one epoch did.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="TrainingLoss">Mean training loss over the epoch (each batch's loss before its update).</param>
/// <param name="ValidationLoss">Mean validation loss after the epoch, or NaN without validation data.</param>
/// <param name="ValidationAccuracy">Validation accuracy after the epoch, or NaN without validation data.</param>
/// <param name="LearningRate">The learning rate used.</param>
/// <param name="SamplesPerSecond">Training throughput of the epoch (updates only, without validation).</param>
/// <param name="Elapsed">Wall time of the epoch's training.</param>
public readonly record struct EpochReport(int Epoch, int Epochs, float TrainingLoss, float ValidationLoss, float ValidationAccuracy,
    float LearningRate, double SamplesPerSecond, TimeSpan Elapsed)
{
    /// <summary>
    /// The 1-based batch of this epoch whose loss was not finite, 0 when the parameters were found
    /// non-finite only after the epoch, or null when the epoch ended normally. The report of such an epoch is the last.
    /// </summary>
    public int? NonFiniteBatch { get; init; }

    /// <summary>The network's loss is a regression loss (squared error, L1, Huber): progress shows the validation's mean absolute error and R² in place of its accuracy.</summary>
    public bool IsRegression { get; init; }

    /// <summary>Validation mean absolute error after the epoch (see <see cref="Evaluation.MeanAbsoluteError"/>), or NaN without validation data.</summary>
    public float ValidationMeanAbsoluteError { get; init; } = float.NaN;

    /// <summary>Validation R² after the epoch (see <see cref="Evaluation.RSquared"/>), or NaN without validation data.</summary>
    public float ValidationRSquared { get; init; } = float.NaN;
}

/// <summary>Progress inside an epoch, in samples.</summary>
public readonly record struct BatchProgress(int Epoch, int Epochs, int SamplesDone, int SamplesTotal, float RunningLoss);

/// <summary>The outcome of <see cref="Trainer{TNetwork}.Fit"/>.</summary>
/// <param name="History">One report per epoch run, the last one the epoch that stopped training.</param>
/// <param name="BestEpoch">With early stopping, the epoch whose parameters the network holds (lowest finite validation loss); else the last completed epoch.</param>
/// <param name="StoppedEarly">True when <see cref="StopReason"/> is <see cref="Training.StopReason.EarlyStopping"/>.</param>
public sealed record TrainingResult(IReadOnlyList<EpochReport> History, int BestEpoch, bool StoppedEarly)
{
    /// <summary>Why training stopped.</summary>
    public StopReason StopReason { get; init; }
}

/// <summary>Loss and accuracy of a network on a data set, and for regression its mean absolute error and R².</summary>
public readonly record struct Evaluation(float Loss, float Accuracy, int Count)
{
    /// <summary>Mean of |o − t| over samples and outputs (torch.nn.L1Loss's value).</summary>
    public float MeanAbsoluteError { get; init; } = float.NaN;

    /// <summary>
    /// R² = 1 − Σ(t − o)² / Σ(t − t̄)², per output over the samples, then averaged over the outputs (scikit-learn's
    /// <c>r2_score</c>, multioutput 'uniform_average'); an output whose targets are constant counts 1 when predicted
    /// exactly, else 0 (as scikit-learn's <c>force_finite</c>).
    /// </summary>
    public float RSquared { get; init; } = float.NaN;
}

/// <summary>
/// Trains any generated network (or <see cref="ReferenceNetwork"/>) on a <see cref="Dataset"/>: shuffled
/// mini-batches, an optimizer, a learning-rate schedule, validation and early stopping, progress and cancellation.
/// Buffers are allocated once per <see cref="Fit"/>; the batch loop allocates nothing.
/// </summary>
public sealed class Trainer<TNetwork> where TNetwork : INetwork
{
    private readonly TNetwork _network;

    /// <summary>Creates a trainer for <paramref name="network"/>.</summary>
    public Trainer(TNetwork network, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new TrainerOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epochs, nameof(options) + "." + nameof(options.Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options) + "." + nameof(options.BatchSize));
        if (!(options.ValidationFraction >= 0 && options.ValidationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.ValidationFraction, "ValidationFraction must be in [0, 1).");
        if (options.EarlyStoppingPatience is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.EarlyStoppingPatience, "EarlyStoppingPatience must be positive.");
        if (options.LearningRate is null) throw new ArgumentNullException(nameof(options), "options.LearningRate is null; give a rate or a schedule.");
        if (options.GradientClipNorm is { } clip && !(clip > 0f && float.IsFinite(clip)))
            throw new ArgumentOutOfRangeException(nameof(options), clip, "GradientClipNorm must be a positive, finite norm (or null for no clipping).");
        if (options.DegreeOfParallelism is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.DegreeOfParallelism, "DegreeOfParallelism must be positive (or null for every core).");
        _network = network;
        Options = options;
    }

    /// <summary>The options in use.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The network being trained.</summary>
    public TNetwork Network => _network;

    /// <summary>Trains for <see cref="TrainerOptions.Epochs"/> epochs (or until early stopping) and returns the history.</summary>
    /// <exception cref="ArgumentException">The data's sizes do not match the network.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the parameters are those after the last completed batch.</exception>
    public TrainingResult Fit(Dataset training, Dataset? validation = null, IProgress<EpochReport>? progress = null,
        IProgress<BatchProgress>? batchProgress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(training);
        CheckShape(training, nameof(training));
        bool split = validation is null && Options.ValidationFraction > 0;
        if (split)
            (training, validation) = training.Split(1 - Options.ValidationFraction, Options.Seed);
        if (validation is not null) CheckShape(validation, nameof(validation));
        if (validation is null && Options.EarlyStoppingPatience is not null)
            throw new ArgumentException("EarlyStoppingPatience needs validation data: pass a validation set or set ValidationFraction.", nameof(validation));
        if (training.Count == 0) throw new ArgumentException("The training set is empty.", nameof(training));
        if (validation is { Count: 0 })
            throw new ArgumentException(split
                ? $"ValidationFraction {Options.ValidationFraction} of {training.Count} samples leaves no validation sample."
                : "The validation set is empty.", nameof(validation));

        int inputSize = _network.InputSize, outputSize = _network.OutputSize;
        int batchSize = Math.Min(Options.BatchSize, training.Count);
        // clipping needs the gradient before the update: plain SGD then runs as an optimizer, not fused into TrainBatch
        var optimizer = Options.Optimizer ?? (Options.GradientClipNorm is null ? null : new Sgd());
        optimizer?.Initialize(_network.ParameterCount);
        var order = new int[training.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        // The batch is copied into a buffer that starts on a 64-byte boundary, like the network's own buffers: with rows
        // a multiple of 16 floats long, the kernels' vector loads of every row then stay within cache lines.
        var inputBuffer = new AlignedBuffer(batchSize * inputSize);
        Span<float> inputs = inputBuffer.Span;
        var targets = new float[batchSize * outputSize];
        Span<float> gradient = optimizer is null ? default : new AlignedBuffer(_network.ParameterCount).Span;
        float[]? best = Options.EarlyStoppingPatience is null ? null : new float[_network.ParameterCount];
        // More than one core: worker threads with clones of the network, for as long as this call (see DataParallel).
        // Only where a whole batch splits, and with an optimizer whose update can run by ranges (plain SGD included).
        var rangeOptimizer = optimizer is null ? new Sgd() : optimizer as IRangeOptimizer;
        int cores = Options.DegreeOfParallelism ?? Environment.ProcessorCount;
        // ReproducibleAcrossCores: shards fixed by the batch, not the cores, so this path runs on one core too.
        bool reproducible = Options.ReproducibleAcrossCores;
        // A network that implements ISharedBatch puts every core on each whole batch (team mode: the same bits as one core);
        // others split large batches into shards, one per core.
        using var parallel = rangeOptimizer is null ? null
            : !reproducible && DataParallel.TeamWorkers(_network.ParameterCount, batchSize, cores) is > 1 and var workers
                && DataParallel.TryCreateTeam(_network, workers, rangeOptimizer, Options.GradientClipNorm, fusedSgd: optimizer is null) is { } team ? team
            : reproducible || DataParallel.ShardsFor(_network.ParameterCount, batchSize, cores) > 1
                ? DataParallel.TryCreate(_network, cores, rangeOptimizer, Options.GradientClipNorm, fixedShards: reproducible ? DataParallel.ReproducibleShards : 0, maxBatch: batchSize) : null;
        // A team gives the same bits as one core, so each batch goes whichever way has lately been faster (TeamSchedule):
        // a team whose cores do not all run (another process, a VM's stolen vCPU) can take longer than one core.
        var schedule = parallel is { IsTeam: true } ? new TeamSchedule() : null;
        LastSchedule = schedule;
        // The parameters at the start of the epoch: where a diverging epoch (non-finite loss or parameters) goes back to.
        var epochStart = new float[_network.ParameterCount];
        var history = new List<EpochReport>(Options.Epochs);
        float bestLoss = float.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        var reason = StopReason.Completed;

        for (int epoch = 0; epoch < Options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _network.Parameters.CopyTo(epochStart);
            float rate = Options.LearningRate.Rate(epoch);
            var random = new DeterministicRandom(unchecked(Options.Seed * 7919 + epoch));
            random.Shuffle(order.AsSpan());
            long started = Stopwatch.GetTimestamp();
            double lossSum = 0;
            int? nonFiniteBatch = null;
            for (int start = 0; start < order.Length; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int m = Math.Min(batchSize, order.Length - start);
                float loss;
                long batchStarted = Stopwatch.GetTimestamp();
                // a team's batch that the schedule gives to this thread alone takes one core's path below: the same bits
                bool byTeam = schedule is not { Team: false };
                if (byTeam && parallel is { FusesSgd: true })
                {
                    // a team with plain SGD: the workers gather their runs of samples and take the step together, as TrainBatch
                    loss = parallel.TrainBatch(training, order, start, m, inputBuffer, targets, rate);
                }
                else if (byTeam && parallel is not null)
                {
                    // the workers gather their shards and compute the gradients (a short batch: worker 0 alone); then
                    // each updates its own copy of the parameters with the batch's mean gradient
                    loss = parallel.Gradients(training, order, start, m, inputBuffer, targets, parallel.ShardsFor(m));
                    if (float.IsFinite(loss)) parallel.Update(rate);
                }
                else if (optimizer is null)
                {
                    training.Gather(order, start, 0, m, inputs, targets);
                    loss = _network.TrainBatch(inputs[..(m * inputSize)], targets.AsSpan(0, m * outputSize), m, rate);
                }
                else
                {
                    training.Gather(order, start, 0, m, inputs, targets);
                    ReadOnlySpan<float> x = inputs[..(m * inputSize)], t = targets.AsSpan(0, m * outputSize);
                    gradient.Clear();
                    loss = _network.BackwardBatch(x, t, m, gradient);
                    if (Options.GradientClipNorm is { } maxNorm) GradientClipping.Clip(gradient, maxNorm);
                    // The loss is checked below, for free. The gradient is not checked per batch: reading it again cost 3–7 %
                    // of a batch (benchmarks: TrainerCheck); a non-finite gradient that the loss does not show is caught by
                    // the parameter check after the epoch.
                    if (float.IsFinite(loss)) optimizer.Step(_network.Parameters, gradient, rate);
                }
                schedule?.Record(Stopwatch.GetElapsedTime(batchStarted).TotalSeconds / m, timed: m == batchSize);
                if (!float.IsFinite(loss))
                {
                    nonFiniteBatch = start / batchSize + 1;
                    break;
                }
                lossSum += (double)loss * m;
                batchProgress?.Report(new BatchProgress(epoch + 1, Options.Epochs, start + m, order.Length, (float)(lossSum / (start + m))));
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            // Parameters can turn non-finite while the loss stays finite (a NaN weight behind a ReLU that outputs 0). A sum
            // is finite only if every term is (NaN and ±∞ propagate): one vectorized pass per epoch.
            if (nonFiniteBatch is null && !float.IsFinite(TensorPrimitives.Sum<float>(_network.Parameters))) nonFiniteBatch = 0;
            if (nonFiniteBatch is not null)
            {
                epochStart.CopyTo(_network.Parameters);
                var failed = new EpochReport(epoch + 1, Options.Epochs, float.NaN, float.NaN, float.NaN, rate, 0, elapsed) { NonFiniteBatch = nonFiniteBatch };
                history.Add(failed);
                progress?.Report(failed);
                reason = StopReason.NonFinite;
                break;
            }

            var evaluation = validation is null ? new Evaluation(float.NaN, float.NaN, 0)
                : parallel is not null ? parallel.Evaluate(validation) : Evaluate(_network, validation);
            var report = new EpochReport(epoch + 1, Options.Epochs, (float)(lossSum / order.Length), evaluation.Loss, evaluation.Accuracy,
                rate, order.Length / elapsed.TotalSeconds, elapsed)
            {
                IsRegression = _network.Architecture.Loss is Loss.MeanSquaredError or Loss.HalfSquaredError or Loss.L1 or Loss.Huber,
                ValidationMeanAbsoluteError = evaluation.MeanAbsoluteError,
                ValidationRSquared = evaluation.RSquared,
            };
            history.Add(report);
            progress?.Report(report);

            if (best is null || validation is null) continue;
            if (evaluation.Loss < bestLoss)
            {
                bestLoss = evaluation.Loss;
                bestEpoch = epoch + 1;
                sinceBest = 0;
                _network.Parameters.CopyTo(best);
            }
            else if (++sinceBest >= Options.EarlyStoppingPatience)
            {
                reason = StopReason.EarlyStopping;
                break;
            }
        }
        // With early stopping, end on the best epoch's parameters however training ended; without a finite validation
        // loss there is no best epoch, and the parameters stay as they are.
        if (best is not null && bestEpoch > 0) best.CopyTo(_network.Parameters);
        if (bestEpoch == 0) bestEpoch = reason == StopReason.NonFinite ? history.Count - 1 : history.Count;
        return new TrainingResult(history, bestEpoch, reason == StopReason.EarlyStopping) { StopReason = reason };
    }

    /// <summary>The last <see cref="Fit"/> call's schedule between its team and one core; null where it had no team (tests read it).</summary>
    internal TeamSchedule? LastSchedule { get; private set; }

    /// <summary>
    /// Mean loss and accuracy of <paramref name="network"/> on <paramref name="data"/>, on one core. Accuracy is arg-max
    /// agreement for several outputs, and agreement of (o ≥ ½) with (t ≥ ½) for a single output.
    /// </summary>
    public static Evaluation Evaluate(TNetwork network, Dataset data) => Evaluate(network, data, degreeOfParallelism: 1);

    /// <summary>
    /// <see cref="Evaluate(TNetwork, Dataset)"/> on up to <paramref name="degreeOfParallelism"/> cores (null: all the
    /// process may use): chunks of the data go to clones of the network, each on its own thread, where the data is large
    /// enough to pay for them. The call allocates the clones and starts the threads; <see cref="Fit"/>'s validation uses
    /// the workers it trains with instead.
    /// </summary>
    public static Evaluation Evaluate(TNetwork network, Dataset data, int? degreeOfParallelism)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(data);
        if (degreeOfParallelism is <= 0) throw new ArgumentOutOfRangeException(nameof(degreeOfParallelism), degreeOfParallelism, "Must be positive (or null for every core).");
        if (data.InputSize != network.InputSize || data.TargetSize != network.OutputSize)
            throw new ArgumentException($"The data has {data.InputSize} inputs and {data.TargetSize} targets; the network takes {network.InputSize} and gives {network.OutputSize}.", nameof(data));
        if (data.Count == 0) return new Evaluation(float.NaN, float.NaN, 0);
        int cores = degreeOfParallelism ?? Environment.ProcessorCount;
        if (DataParallel.EvaluationWorkers(network.ParameterCount, data.Count, cores) > 1)
        {
            using var parallel = DataParallel.TryCreate(network, cores);
            if (parallel is not null) return parallel.Evaluate(data);
        }
        var sums = new Evaluator.Sums(network.OutputSize);
        Evaluator.Chunks(network, data, 0, 1, new float[Evaluator.Chunk * network.OutputSize], sums);
        return sums.ToEvaluation(data.Count);
    }

    private void CheckShape(Dataset data, string name)
    {
        if (data.InputSize != _network.InputSize)
            throw new ArgumentException($"'{name}' has {data.InputSize} inputs per sample; the network takes {_network.InputSize}.", name);
        if (data.TargetSize != _network.OutputSize)
            throw new ArgumentException($"'{name}' has {data.TargetSize} targets per sample; the network gives {_network.OutputSize} outputs.", name);
    }
}

/// <summary>The loss, accuracy and regression sums of chunks of a data set, one batched forward pass per chunk.</summary>
internal static class Evaluator
{
    /// <summary>Samples per chunk: one <c>ComputeLossBatch</c> call, whose outputs also give the accuracy.</summary>
    public const int Chunk = 256;

    /// <summary>What an evaluation adds up, in double precision; sums of several workers add in worker order.</summary>
    public sealed class Sums(int outputs)
    {
        public double Loss, AbsoluteError;
        public int Correct;
        public readonly double[] Target = new double[outputs], TargetSquare = new double[outputs], SquaredError = new double[outputs];

        public void Clear()
        {
            (Loss, AbsoluteError, Correct) = (0, 0, 0);
            Array.Clear(Target);
            Array.Clear(TargetSquare);
            Array.Clear(SquaredError);
        }

        public void Add(Sums other)
        {
            Loss += other.Loss;
            AbsoluteError += other.AbsoluteError;
            Correct += other.Correct;
            for (int k = 0; k < Target.Length; k++)
            {
                Target[k] += other.Target[k];
                TargetSquare[k] += other.TargetSquare[k];
                SquaredError[k] += other.SquaredError[k];
            }
        }

        public Evaluation ToEvaluation(int count)
        {
            double r2 = 0;
            for (int k = 0; k < Target.Length; k++)
            {
                double total = TargetSquare[k] - Target[k] * Target[k] / count; // Σ(t − t̄)²
                r2 += total > 0 ? 1 - SquaredError[k] / total : SquaredError[k] == 0 ? 1 : 0;
            }
            return new Evaluation((float)(Loss / count), (float)Correct / count, count)
            {
                MeanAbsoluteError = (float)(AbsoluteError / ((double)count * Target.Length)),
                RSquared = (float)(r2 / Target.Length),
            };
        }
    }

    /// <summary>Adds chunks first, first + step, … of <paramref name="data"/> into <paramref name="sums"/>.</summary>
    public static void Chunks(INetwork network, Dataset data, int first, int step, float[] outputs, Sums sums)
    {
        int inputSize = network.InputSize, outputSize = network.OutputSize;
        for (int start = first * Chunk; start < data.Count; start += step * Chunk)
        {
            int m = Math.Min(Chunk, data.Count - start);
            var targets = data.Targets.Slice(start * outputSize, m * outputSize);
            var output = outputs.AsSpan(0, m * outputSize);
            sums.Loss += (double)network.ComputeLossBatch(data.Inputs.Slice(start * inputSize, m * inputSize), targets, m, output) * m;
            for (int s = 0; s < m; s++)
            {
                var o = output.Slice(s * outputSize, outputSize);
                var t = targets.Slice(s * outputSize, outputSize);
                if (IsCorrect(o, t)) sums.Correct++;
                for (int k = 0; k < outputSize; k++)
                {
                    double d = o[k] - t[k];
                    sums.AbsoluteError += Math.Abs(d);
                    sums.SquaredError[k] += d * d;
                    sums.Target[k] += t[k];
                    sums.TargetSquare[k] += (double)t[k] * t[k];
                }
            }
        }
    }

    private static bool IsCorrect(ReadOnlySpan<float> output, ReadOnlySpan<float> target)
    {
        if (output.Length == 1) return output[0] >= 0.5f == target[0] >= 0.5f;
        return OneHot.ArgMax(output) == OneHot.ArgMax(target);
    }
}
