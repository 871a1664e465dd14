using System;

namespace FixedNet.Runtime;

/// <summary>
/// A network whose <see cref="INetwork.BackwardBatch"/> and <see cref="INetwork.TrainBatch"/> several threads compute
/// together on one batch, each thread a share of every layer's products: rows of the forward product and, for a layer
/// of at least 32 units, of its gradient (else columns; in the fused SGD step only the first layer's gradient goes by
/// rows), and columns of the delta below. The generator implements it for every trainable network that runs the batch
/// kernels and has no dropout; <see cref="Training.Trainer{TNetwork}"/> uses it to put all its cores on each batch
/// (<see cref="Training.TrainerOptions.DegreeOfParallelism"/>).
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
    /// through the network's gradient buffer, each part clearing and stepping its own
    /// <see cref="SharedBatch.ParameterShare"/> of it. Every part returns after the whole step is taken. Part 0 returns the
    /// mean loss before the update, the others 0.
    /// </summary>
    float TrainBatchPart(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, float learningRate, int part, int parts, SpinBarrier barrier);
}

/// <summary>How the threads of an <see cref="ISharedBatch"/> split the parameters between them.</summary>
public static class SharedBatch
{
    /// <summary>
    /// The parameters that share <paramref name="part"/> of <paramref name="parts"/> clears and steps in a team, for a
    /// network whose layers have these <paramref name="sizes"/> (the inputs, then each layer's units) and the parameter
    /// layout of <c>torch.nn.Linear</c> (each layer's weights [units × inputs], then its biases). They are the parameters
    /// whose gradient the share writes in <see cref="ISharedBatch.BackwardBatchPart"/>, so the update reads no line another
    /// core wrote and leaves each core the rows of W that its forward share reads next: for a layer that
    /// <see cref="Kernels.Dense.RowShare"/> splits, the weights and biases of the share's rows; for a smaller layer, an equal
    /// run of its weights and biases. Every boundary is moved down to a whole 64-byte line (16 floats) but the last, so
    /// no two shares write one line of a 64-byte aligned buffer, and together the shares hold every parameter once.
    /// Writes two ranges per layer into <paramref name="bounds"/> as [from, to) pairs (4 ints per layer; a range may be empty).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two sizes, a size below 1, or <paramref name="bounds"/> not 4 ints per layer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="part"/> not in [0, <paramref name="parts"/>).</exception>
    public static void ParameterShare(ReadOnlySpan<int> sizes, int part, int parts, Span<int> bounds)
    {
        if (sizes.Length < 2) throw new ArgumentException("The sizes must hold the inputs and at least one layer.", nameof(sizes));
        long count = 0;
        for (int l = 0; l < sizes.Length; l++)
        {
            if (sizes[l] < 1) throw new ArgumentException($"sizes[{l}] is {sizes[l]}; every size must be positive.", nameof(sizes));
            if (l > 0) count += (long)sizes[l] * (sizes[l - 1] + 1);
        }
        if (count > int.MaxValue) throw new ArgumentException($"The layers hold {count} parameters, more than a span can.", nameof(sizes));
        if (parts < 1) throw new ArgumentOutOfRangeException(nameof(parts), parts, "The number of parts must be positive.");
        if ((uint)part >= (uint)parts) throw new ArgumentOutOfRangeException(nameof(part), part, $"The part must be in [0, {parts}).");
        int layers = sizes.Length - 1;
        if (bounds.Length != 4 * layers) throw new ArgumentException($"The bounds must hold 4 ints per layer: {4 * layers}, not {bounds.Length}.", nameof(bounds));
        int total = (int)count, w = 0;
        for (int l = 0; l < layers; l++)
        {
            int inputs = sizes[l], units = sizes[l + 1], b = w + units * inputs, end = b + units;
            Span<int> at = bounds.Slice(4 * l, 4);
            if (Kernels.Dense.RowShare(units, 0, parts).To < units)
            {
                // rows [from, to): their weights, then their biases
                var (from, to) = Kernels.Dense.RowShare(units, part, parts);
                (at[0], at[1], at[2], at[3]) = (Line(w + from * inputs, total), Line(w + to * inputs, total), Line(b + from, total), Line(b + to, total));
            }
            else
            {
                // an equal run of the layer's weights and biases, and an empty range
                int size = end - w, from = Line(w + (int)((long)size * part / parts), total), to = Line(w + (int)((long)size * (part + 1) / parts), total);
                (at[0], at[1], at[2], at[3]) = (from, to, to, to);
            }
            w = end;
        }
    }

    // The start of the 64-byte line that holds index i, or the end itself.
    private static int Line(int i, int count) => i >= count ? count : i & ~15;
}
