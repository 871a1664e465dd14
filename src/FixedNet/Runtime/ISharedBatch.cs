using System;

namespace FixedNet.Runtime;

/// <summary>
/// A network whose <see cref="INetwork.BackwardBatch"/> several threads compute together on one batch, each thread a share
/// of every layer's products: rows of the forward product, columns of the gradient and of the delta below. The generator
/// implements it for every trainable network that runs the batch kernels and has no dropout; <see cref="Training.Trainer{TNetwork}"/>
/// uses it to put all its cores on each batch (<see cref="Training.TrainerOptions.DegreeOfParallelism"/>).
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
}
