using System;

namespace FixedNet.Runtime;

/// <summary>
/// A network whose <see cref="INetwork.BackwardBatch"/> and <see cref="INetwork.TrainBatch"/> several threads compute
/// together on one batch, each thread a share of every layer's products: rows of the forward product, columns of the
/// gradient (rows for a first layer of at least 32 units) and of the delta below. The generator implements it for every
/// trainable network that runs the batch kernels and has no dropout; <see cref="Training.Trainer{TNetwork}"/> uses it
/// to put all its cores on each batch (<see cref="Training.TrainerOptions.DegreeOfParallelism"/>).
/// </summary>
public interface ISharedBatch
{
    /// <summary>
    /// Share <paramref name="part"/> of <paramref name="parts"/> of <see cref="INetwork.BackwardBatch"/>: each of
    /// <paramref name="parts"/> threads calls this at the same time, on the same network with the same arguments and its
    /// own part, and the threads meet at <paramref name="barrier"/> (of exactly <paramref name="parts"/> participants)
    /// between the layers. Together they ADD into <paramref name="gradient"/> what <see cref="INetwork.BackwardBatch"/>
    /// adds, with the same bits for any number of parts (each value is summed by one thread, in the same order). Part 0
    /// returns the mean loss, the others 0. Nothing else may use the network or <paramref name="gradient"/> meanwhile.
    /// </summary>
    float BackwardBatchPart(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, Span<float> gradient, int part, int parts, SpinBarrier barrier);

    /// <summary>
    /// Share <paramref name="part"/> of <paramref name="parts"/> of <see cref="INetwork.TrainBatch"/> (one SGD step), called
    /// as <see cref="BackwardBatchPart"/> is: the threads together leave the parameters with the same bits as
    /// <see cref="INetwork.TrainBatch"/> on one thread. Up to one chunk of samples, each part takes the delta below from
    /// its columns of a layer's weights and then moves those same columns (the first layer, which has no delta below, by
    /// the rows its forward share computes), with no gradient buffer, as the one-thread step does; larger batches go
    /// through the network's gradient buffer, each part clearing and stepping its own <see cref="SharedBatch.LineShare"/>
    /// of it. Every part returns after the whole step is taken. Part 0 returns the
    /// mean loss before the update, the others 0.
    /// </summary>
    float TrainBatchPart(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, float learningRate, int part, int parts, SpinBarrier barrier);
}

/// <summary>How the threads of an <see cref="ISharedBatch"/> split what is not a layer's rows or columns.</summary>
public static class SharedBatch
{
    /// <summary>
    /// The range [from, to) of <paramref name="count"/> floats that share <paramref name="part"/> of <paramref name="parts"/>
    /// owns: equal runs of whole 64-byte lines (16 floats) from the start, so no two parts write the same cache line of
    /// a 64-byte aligned buffer; the last run ends at <paramref name="count"/>.
    /// </summary>
    public static (int From, int To) LineShare(int count, int part, int parts)
    {
        int lines = (count + 15) / 16;
        return (Math.Min(count, (int)((long)lines * part / parts) * 16), Math.Min(count, (int)((long)lines * (part + 1) / parts) * 16));
    }
}
