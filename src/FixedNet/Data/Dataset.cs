using System;
using FixedNet.Runtime;

namespace FixedNet.Data;

/// <summary>Samples stored row by row: <see cref="Count"/> inputs of <see cref="InputSize"/> values and targets of <see cref="TargetSize"/> values.</summary>
public sealed class Dataset
{
    private readonly float[] _inputs;
    private readonly float[] _targets;

    /// <summary>Wraps (does not copy) row-major inputs and targets.</summary>
    /// <exception cref="ArgumentException">The lengths are not whole rows, the row counts differ, or a value is NaN or ±∞
    /// (one such value would make every weight it reaches NaN); the message names the sample and column.</exception>
    public Dataset(float[] inputs, float[] targets, int inputSize, int targetSize) : this(inputs, targets, inputSize, targetSize, checkValues: true)
    {
    }

    // checkValues: false for copies of a data set's own (already checked) values, as Subset and Split make.
    private Dataset(float[] inputs, float[] targets, int inputSize, int targetSize, bool checkValues)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetSize);
        if (inputs.Length % inputSize != 0)
            throw new ArgumentException($"{inputs.Length} input values are not whole rows of {inputSize}.", nameof(inputs));
        if (targets.Length % targetSize != 0)
            throw new ArgumentException($"{targets.Length} target values are not whole rows of {targetSize}.", nameof(targets));
        if (inputs.Length / inputSize != targets.Length / targetSize)
            throw new ArgumentException($"{inputs.Length / inputSize} input rows but {targets.Length / targetSize} target rows.", nameof(targets));
        if (checkValues)
        {
            CheckFinite(inputs, inputSize, "Input", nameof(inputs));
            CheckFinite(targets, targetSize, "Target", nameof(targets));
        }
        _inputs = inputs;
        _targets = targets;
        InputSize = inputSize;
        TargetSize = targetSize;
        Count = inputs.Length / inputSize;
    }

    private static void CheckFinite(float[] values, int rowSize, string what, string name)
    {
        // A sum is finite only if every value is; one vectorized pass, then a search only when it is not.
        if (float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum<float>(values))) return;
        for (int k = 0; k < values.Length; k++)
        {
            if (!float.IsFinite(values[k]))
                throw new ArgumentException($"{what} of sample {k / rowSize}, column {k % rowSize}, is {values[k].ToString(System.Globalization.CultureInfo.InvariantCulture)}; every value must be a finite number.", name);
        }
    }

    /// <summary>Number of samples.</summary>
    public int Count { get; }

    /// <summary>Values per input.</summary>
    public int InputSize { get; }

    /// <summary>Values per target.</summary>
    public int TargetSize { get; }

    /// <summary>All inputs, row-major.</summary>
    public ReadOnlySpan<float> Inputs => _inputs;

    /// <summary>All targets, row-major.</summary>
    public ReadOnlySpan<float> Targets => _targets;

    /// <summary>Input of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Input(int index) => new(_inputs, checked(index * InputSize), InputSize);

    /// <summary>Target of sample <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Target(int index) => new(_targets, checked(index * TargetSize), TargetSize);

    /// <summary>The trainer's batch assembly: copies samples <c>order[start + k]</c>, k in [lo, hi), into rows k of the batch buffers.</summary>
    internal void Gather(int[] order, int start, int lo, int hi, Span<float> inputs, Span<float> targets)
    {
        for (int k = lo; k < hi; k++)
        {
            Input(order[start + k]).CopyTo(inputs.Slice(k * InputSize, InputSize));
            Target(order[start + k]).CopyTo(targets.Slice(k * TargetSize, TargetSize));
        }
    }

    /// <summary>A copy holding the samples at <paramref name="indices"/>, in that order.</summary>
    public Dataset Subset(ReadOnlySpan<int> indices)
    {
        var inputs = new float[indices.Length * InputSize];
        var targets = new float[indices.Length * TargetSize];
        for (int k = 0; k < indices.Length; k++)
        {
            if ((uint)indices[k] >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), indices[k], $"Index outside 0..{Count - 1}.");
            Input(indices[k]).CopyTo(inputs.AsSpan(k * InputSize));
            Target(indices[k]).CopyTo(targets.AsSpan(k * TargetSize));
        }
        return new Dataset(inputs, targets, InputSize, TargetSize, checkValues: false);
    }

    /// <summary>Shuffles (seeded) and splits into a first part with ⌊fraction·Count⌉ samples and the rest.</summary>
    public (Dataset First, Dataset Second) Split(double firstFraction, int seed)
    {
        if (!(firstFraction > 0 && firstFraction < 1)) throw new ArgumentOutOfRangeException(nameof(firstFraction), firstFraction, "The fraction must be in (0, 1).");
        var order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        new DeterministicRandom(seed).Shuffle(order.AsSpan());
        int first = (int)Math.Round(firstFraction * Count);
        return (Subset(order.AsSpan(0, first)), Subset(order.AsSpan(first)));
    }
}

/// <summary>One-hot encoding of class labels.</summary>
public static class OneHot
{
    /// <summary>Row k has a 1 at column labels[k] and 0 elsewhere.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside 0..classes−1.</exception>
    public static float[] Encode(ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var result = new float[labels.Length * classes];
        for (int k = 0; k < labels.Length; k++)
        {
            if ((uint)labels[k] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[k], $"Label {k} is {labels[k]}, outside 0..{classes - 1}.");
            result[k * classes + labels[k]] = 1f;
        }
        return result;
    }

    /// <summary>Index of the largest value of each row.</summary>
    public static int[] Decode(ReadOnlySpan<float> rows, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (rows.Length % classes != 0) throw new ArgumentException($"{rows.Length} values are not whole rows of {classes}.", nameof(rows));
        var labels = new int[rows.Length / classes];
        for (int k = 0; k < labels.Length; k++) labels[k] = ArgMax(rows.Slice(k * classes, classes));
        return labels;
    }

    /// <summary>Index of the largest value (the first one on ties).</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("No values.", nameof(values));
        int best = 0;
        for (int k = 1; k < values.Length; k++)
        {
            if (values[k] > values[best]) best = k;
        }
        return best;
    }
}
