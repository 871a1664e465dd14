using System.Diagnostics;
using System.Threading;

namespace FixedNet.Runtime;

/// <summary>
/// A barrier for a fixed number of threads that waits by spinning, then by yielding, and only after about a millisecond
/// by blocking: training's phases last microseconds to milliseconds, so a waiting thread keeps its core, as OpenMP's
/// active wait policy does while training owns the cores; a thread left waiting longer (a worker while the trainer runs
/// batches on its own thread, or a partner whose core another process holds) sleeps until the round completes, so that
/// it does not take a core from the threads that have work. It allocates nothing. The trainer's workers meet at one
/// between the phases of a batch, and the threads of <see cref="ISharedBatch.BackwardBatchPart"/> after each layer.
/// </summary>
/// <param name="participants">How many threads call <see cref="SignalAndWait"/> each round.</param>
public sealed class SpinBarrier(int participants)
{
    private const int SpinsBeforeYielding = 256;
    private static readonly long YieldTicksBeforeBlocking = Stopwatch.Frequency / 1000; // 1 ms
    private readonly object _gate = new();
    private int _arrived, _sleepers;
    private int _generation; // read with Volatile.Read, written with Interlocked.Exchange

    /// <summary>How many threads meet here each round.</summary>
    public int Participants => participants;

    /// <summary>
    /// Waits until all <see cref="Participants"/> threads have called this in this round. Everything a thread wrote
    /// before its call is visible to every thread after theirs.
    /// </summary>
    public void SignalAndWait()
    {
        int generation = Volatile.Read(ref _generation);
        if (Interlocked.Increment(ref _arrived) == participants)
        {
            _arrived = 0;
            // a full fence: publishes everything written before it, and comes before the read of _sleepers below, which
            // each sleeper raised (also with a full fence) before it looked at the generation under the gate
            Interlocked.Exchange(ref _generation, generation + 1);
            if (Volatile.Read(ref _sleepers) > 0)
            {
                lock (_gate) Monitor.PulseAll(_gate);
            }
            return;
        }
        long yieldingSince = 0;
        for (int spins = 0; Volatile.Read(ref _generation) == generation; spins++)
        {
            if (spins < SpinsBeforeYielding)
            {
                Thread.SpinWait(4);
                continue;
            }
            long now = Stopwatch.GetTimestamp();
            if (spins == SpinsBeforeYielding)
            {
                yieldingSince = now;
            }
            else if (now - yieldingSince >= YieldTicksBeforeBlocking)
            {
                Sleep(generation);
                return;
            }
            Thread.Yield();
        }
    }

    // Blocks until the round after `generation` begins: the last thread to arrive pulses the gate when it sees a sleeper.
    private void Sleep(int generation)
    {
        Interlocked.Increment(ref _sleepers);
        lock (_gate)
        {
            while (Volatile.Read(ref _generation) == generation) Monitor.Wait(_gate);
        }
        Interlocked.Decrement(ref _sleepers);
    }
}
