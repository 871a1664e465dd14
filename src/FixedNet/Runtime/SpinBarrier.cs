using System.Threading;

namespace FixedNet.Runtime;

/// <summary>
/// A barrier for a fixed number of threads that waits by spinning, then by yielding, never by blocking: training's phases
/// last microseconds to milliseconds, so a waiting thread keeps its core, as OpenMP's active wait policy does while
/// training owns the cores. It allocates nothing and holds no kernel object. The trainer's workers meet at one between
/// the phases of a batch, and the threads of <see cref="ISharedBatch.BackwardBatchPart"/> after each layer.
/// </summary>
/// <param name="participants">How many threads call <see cref="SignalAndWait"/> each round.</param>
public sealed class SpinBarrier(int participants)
{
    private const int SpinsBeforeYielding = 256;
    private int _arrived;
    private volatile int _generation;

    /// <summary>How many threads meet here each round.</summary>
    public int Participants => participants;

    /// <summary>
    /// Waits until all <see cref="Participants"/> threads have called this in this round. Everything a thread wrote
    /// before its call is visible to every thread after theirs.
    /// </summary>
    public void SignalAndWait()
    {
        int generation = _generation;
        if (Interlocked.Increment(ref _arrived) == participants)
        {
            _arrived = 0;
            _generation = generation + 1; // a volatile write: publishes everything written before it
            return;
        }
        for (int spins = 0; _generation == generation; spins++)
        {
            if (spins < SpinsBeforeYielding) Thread.SpinWait(4);
            else Thread.Yield();
        }
    }
}
