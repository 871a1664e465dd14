using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace FixedNet.Runtime;

/// <summary>Throw helpers for generated code, kept out of line so the hot path stays small. Not meant to be used directly.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ThrowHelper
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="paramName"/> for a span of the wrong length.</summary>
    [DoesNotReturn]
    public static void ThrowLengthMismatch(string paramName, int expected, int actual) =>
        throw new ArgumentException($"Expected a span of length {expected}, but '{paramName}' has length {actual}.", paramName);

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="paramName"/> for a batch span of the wrong length.</summary>
    [DoesNotReturn]
    public static void ThrowBatchLengthMismatch(string paramName, int batchSize, int width, int actual) =>
        throw new ArgumentException(
            $"Expected {batchSize} samples of {width} values ({(long)batchSize * width} in all), but '{paramName}' has length {actual}.", paramName);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> for a batch size that is not positive.</summary>
    [DoesNotReturn]
    public static void ThrowBatchSize(int batchSize) =>
        throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="paramName"/> when the span written shares memory with a span read.</summary>
    public static void CheckNoOverlap(string paramName, ReadOnlySpan<float> written, ReadOnlySpan<float> read, string readName)
    {
        if (written.Overlaps(read))
            throw new ArgumentException($"'{paramName}' shares memory with '{readName}'; the batch path writes outputs while it still reads its inputs, so pass separate buffers.", paramName);
    }

    /// <summary>Validates a batch of <paramref name="batchSize"/> samples of <paramref name="width"/> values each.</summary>
    public static void CheckBatch(string paramName, int batchSize, int width, int actual)
    {
        if ((long)batchSize * width != actual) ThrowBatchLengthMismatch(paramName, batchSize, width, actual);
    }

    /// <summary>
    /// Validates a share of <see cref="ISharedBatch.BackwardBatchPart"/>: <paramref name="part"/> in [0, <paramref name="parts"/>)
    /// and a barrier for exactly <paramref name="parts"/> threads.
    /// </summary>
    public static void CheckPart(int part, int parts, SpinBarrier barrier)
    {
        ArgumentNullException.ThrowIfNull(barrier);
        if (parts < 1 || parts != barrier.Participants)
            throw new ArgumentOutOfRangeException(nameof(parts), parts, $"The number of parts must be positive and equal to the barrier's participants ({barrier.Participants}).");
        if ((uint)part >= (uint)parts) throw new ArgumentOutOfRangeException(nameof(part), part, $"The part must be in [0, {parts}).");
    }
}
