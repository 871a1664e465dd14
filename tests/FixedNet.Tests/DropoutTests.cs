using System;
using System.Linq;
using FixedNet;
using FixedNet.Data;
using FixedNet.Operators;
using FixedNet.Runtime;
using FixedNet.Training;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// <c>[Dropout(p)]</c> (issue 17), as <c>torch.nn.Dropout</c>: the masks at every vector width, their statistics, the
/// identity at inference, determinism for a seed, and the same masks on any number of cores. The gradients under a mask
/// are checked against the double-precision oracle by GradientTests, and the generated code against ReferenceNetwork
/// by ReferenceEquivalenceTests, both over WideDropoutNet and SmallDropoutNet.
/// </summary>
public class DropoutTests
{
    [Fact]
    public void Apply_FollowsTheScalarDefinition_AtTheWidthThisProcessRuns()
    {
        // every row length from 1 to 70 runs the vector loops, their overlapping last vector and the scalar rows below 4
        var random = new Random(1);
        foreach (float p in new[] { 0.1f, 0.5f, 0.9f })
        {
            for (int size = 1; size <= 70; size++)
            {
                const int Rows = 3;
                var a = Enumerable.Range(0, Rows * size).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
                var kept = new float[a.Length];
                var mask = new float[a.Length];
                var copy = a.ToArray();
                Dropout.Apply(ref a[0], ref kept[0], ref mask[0], Rows, size, p, 12345, 2);
                Assert.Equal(copy, a); // the activation's derivative still reads a
                for (int r = 0; r < Rows; r++)
                {
                    uint key = Dropout.Key(12345UL + (ulong)r, 2);
                    for (int u = 0; u < size; u++)
                    {
                        float m = Dropout.Keeps(key, u, Dropout.Threshold(p)) ? 1f / (1f - p) : 0f;
                        Assert.Equal(m, mask[r * size + u]);
                        Assert.Equal(a[r * size + u] * m, kept[r * size + u]);
                    }
                }

                var d = Enumerable.Range(0, a.Length).Select(_ => (float)random.NextDouble()).ToArray();
                var expected = d.Select((v, i) => v * mask[i]).ToArray();
                Dropout.Multiply(ref mask[0], ref d[0], d.Length);
                Assert.Equal(expected, d);
            }
        }
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.3f)]
    [InlineData(0.5f)]
    [InlineData(0.8f)]
    public void Masks_DropAFractionP_AndKeepTheMean(float p)
    {
        const int Size = 100, Rows = 10_000;
        var a = Enumerable.Repeat(1f, Size * Rows).ToArray();
        var kept = new float[a.Length];
        var mask = new float[a.Length];
        Dropout.Apply(ref a[0], ref kept[0], ref mask[0], Rows, Size, p, Dropout.InitialState(7), 0);

        int n = a.Length;
        double dropped = mask.Count(m => m == 0f) / (double)n;
        double sigma = Math.Sqrt(p * (1 - p) / n);
        Assert.True(Math.Abs(dropped - p) < 5 * sigma, $"dropped {dropped:F5}, expected {p} ± {5 * sigma:F5}");
        Assert.All(mask, m => Assert.True(m == 0f || m == 1f / (1f - p)));
        Assert.True(Math.Abs(kept.Average() - 1.0) < 5 * sigma / (1 - p), $"mean of the kept outputs {kept.Average():F5}, expected 1");

        // Each unit alone, and the same unit in consecutive samples, are kept independently of each other.
        for (int u = 0; u < Size; u += 17)
        {
            double unitDropped = Enumerable.Range(0, Rows).Count(r => mask[r * Size + u] == 0f) / (double)Rows;
            Assert.True(Math.Abs(unitDropped - p) < 5 * Math.Sqrt(p * (1 - p) / Rows), $"unit {u} dropped {unitDropped:F4}");
        }
        double both = Enumerable.Range(0, Rows - 1).Sum(r => Enumerable.Range(0, Size).Count(u => mask[r * Size + u] == 0f && mask[(r + 1) * Size + u] == 0f))
            / (double)((Rows - 1) * Size);
        Assert.True(Math.Abs(both - p * p) < 5 * Math.Sqrt(p * p * (1 - p * p) / ((Rows - 1) * Size)), $"dropped in two consecutive samples {both:F5}, expected {p * p:F5}");
    }

    [Fact]
    public void Inference_IsTheIdentity_AndDrawsNoMasks()
    {
        INetwork net = Networks.CreateInitialized("WideDropoutNet", 4);
        var layers = net.Architecture.Layers;
        INetwork plain = new ReferenceNetwork(new NetworkArchitecture(net.InputSize, layers.Select(l => (l.Size, l.Activation)).ToArray(), net.Architecture.Loss));
        net.Parameters.CopyTo(plain.Parameters);
        Assert.False(plain.Architecture.HasDropout);
        Assert.True(net.Architecture.HasDropout);
        Assert.Equal(new[] { 0.3f, 0.5f, 0f }, layers.Select(l => l.Dropout));

        const int Batch = 40;
        var x = Networks.RandomInputs(net.InputSize * Batch, 5);
        var t = Networks.RandomTargets(net.Architecture, Batch, 6);
        ulong state = net.DropoutState;
        var expected = new float[net.OutputSize * Batch];
        var actual = new float[expected.Length];
        plain.ForwardBatch(x, expected, Batch);
        net.ForwardBatch(x, actual, Batch);
        Networks.AssertClose(expected, actual, 1e-5, "ForwardBatch");
        for (int s = 0; s < Batch; s++)
        {
            net.Forward(x.AsSpan(s * net.InputSize, net.InputSize), actual.AsSpan(0, net.OutputSize));
            Networks.AssertClose(expected.AsSpan(s * net.OutputSize, net.OutputSize), actual.AsSpan(0, net.OutputSize), 1e-5, "Forward");
            Assert.Equal(plain.ComputeLoss(x.AsSpan(s * net.InputSize, net.InputSize), t.AsSpan(s * net.OutputSize, net.OutputSize)),
                net.ComputeLoss(x.AsSpan(s * net.InputSize, net.InputSize), t.AsSpan(s * net.OutputSize, net.OutputSize)), 1e-5);
        }
        Assert.Equal(plain.ComputeLossBatch(x, t, Batch, expected), net.ComputeLossBatch(x, t, Batch, actual), 1e-5);
        Assert.Equal(state, net.DropoutState);

        // Training does drop: the same sample's training loss differs from its inference loss, and moves the position on.
        float training = net.Backward(x.AsSpan(0, net.InputSize), t.AsSpan(0, net.OutputSize), new float[net.ParameterCount]);
        Assert.NotEqual(net.ComputeLoss(x.AsSpan(0, net.InputSize), t.AsSpan(0, net.OutputSize)), training);
        Assert.Equal(state + 1, net.DropoutState);
        net.TrainBatch(x, t, Batch, 0.01f);
        Assert.Equal(state + 1 + Batch, net.DropoutState);
    }

    [Fact]
    public void Seed_DecidesTheMasks_AndCloneCarriesThePosition()
    {
        var a = new WideDropoutNet();
        var b = new WideDropoutNet();
        Assert.Equal(Dropout.InitialState(ParameterInitializer.DefaultSeed), a.DropoutState);
        a.InitializeParameters(9);
        b.InitializeParameters(9);
        Assert.Equal(Dropout.InitialState(9), a.DropoutState);
        var x = Networks.RandomInputs(WideDropoutNet.InputSize * 50, 1);
        var t = Networks.RandomTargets(WideDropoutNet.Architecture, 50, 2);
        for (int step = 0; step < 3; step++)
        {
            a.TrainBatch(x, t, 50, 0.1f);
            b.TrainBatch(x, t, 50, 0.1f);
        }
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());

        var clone = a.Clone();
        Assert.Equal(a.DropoutState, clone.DropoutState);
        a.TrainBatch(x, t, 50, 0.1f);
        clone.TrainBatch(x, t, 50, 0.1f);
        Assert.Equal(a.Parameters.ToArray(), clone.Parameters.ToArray());

        // another seed, the same parameters: other masks, so another step
        var c = new WideDropoutNet();
        c.InitializeParameters(10);
        b.Parameters.CopyTo(c.Parameters);
        b.TrainBatch(x, t, 50, 0.1f);
        c.TrainBatch(x, t, 50, 0.1f);
        Assert.NotEqual(b.Parameters.ToArray(), c.Parameters.ToArray());

        // a network without dropout keeps no position
        INetwork plain = new WideSoftmaxNet();
        plain.DropoutState = 5;
        Assert.Equal(0UL, plain.DropoutState);
    }

    private static Dataset Data(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * 23];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            labels[s] = random.Next(5);
            for (int i = 0; i < 23; i++) x[s * 23 + i] = (float)random.NextDouble() + (i % 5 == labels[s] ? 1f : 0f);
        }
        return new Dataset(x, OneHot.Encode(labels, 5), 23, 5);
    }

    [Fact]
    public void Workers_DrawTheMasksOneCoreDraws()
    {
        // Batches of 4,096 samples split into two shards on two workers (the network is small, so each shard needs many
        // samples). The masks follow the sample, not the worker: the training agrees with one core to rounding.
        (float[] Parameters, ulong State) Train(int cores)
        {
            var net = new WideDropoutNet();
            net.InitializeParameters(3);
            new Trainer<WideDropoutNet>(net, new TrainerOptions { Epochs = 2, BatchSize = 4096, LearningRate = 0.5f, Seed = 4, DegreeOfParallelism = cores })
                .Fit(Data(8192, 5));
            return (net.Parameters.ToArray(), net.DropoutState);
        }
        var one = Train(1);
        var two = Train(2);
        Assert.Equal(Dropout.InitialState(3) + 2 * 8192, one.State);
        Assert.Equal(one.State, two.State);
        // the two shards' gradient sums round differently from one pass: not the same bits (so the split ran), but close
        Assert.NotEqual(one.Parameters.Select(BitConverter.SingleToInt32Bits), two.Parameters.Select(BitConverter.SingleToInt32Bits));
        double largest = one.Parameters.Zip(two.Parameters, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 1e-5, $"largest parameter difference {largest}");

        // with other masks (another seed) the parameters move apart by far more than that rounding
        var other = new WideDropoutNet();
        other.InitializeParameters(3);
        other.DropoutState = Dropout.InitialState(99);
        new Trainer<WideDropoutNet>(other, new TrainerOptions { Epochs = 2, BatchSize = 4096, LearningRate = 0.5f, Seed = 4, DegreeOfParallelism = 1 }).Fit(Data(8192, 5));
        double apart = one.Parameters.Zip(other.Parameters.ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(apart > 100 * largest + 1e-4, $"other masks moved the parameters by only {apart}");
    }
}
