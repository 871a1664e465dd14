using System;
using System.Linq;
using System.Threading;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// <see cref="ISharedBatch"/> (issue 18): threads that share every layer of one batch add the same bits into the gradient
/// as <see cref="INetwork.BackwardBatch"/> on one thread (<see cref="ISharedBatch.BackwardBatchPart"/>), and leave the same
/// parameters as <see cref="INetwork.TrainBatch"/> (<see cref="ISharedBatch.TrainBatchPart"/>), for any number of parts,
/// batch size and layer shape.
/// </summary>
public class SharedBatchTests
{
    public static TheoryData<string> Shared => new() { "MnistNet", "PanelNet", "WideBceNet", "WideEluSoftplusNet", "WideSoftmaxHalfNet", "WideGeluSiluNet", "SharedGeluNet", "SharedSingleLayerNet", "SharedSmallSingleLayerNet" };

    private static INetwork Create(string name) => name switch
    {
        "MnistNet" => new MnistNet(),
        "PanelNet" => new PanelNet(),
        "WideBceNet" => new WideBceNet(),
        "WideEluSoftplusNet" => new WideEluSoftplusNet(),
        "WideSoftmaxHalfNet" => new WideSoftmaxHalfNet(),
        "WideGeluSiluNet" => new WideGeluSiluNet(),
        "SharedSingleLayerNet" => new SharedSingleLayerNet(),
        "SharedSmallSingleLayerNet" => new SharedSmallSingleLayerNet(),
        _ => new SharedGeluNet(),
    };

    /// <summary>Runs <paramref name="parts"/> threads, each calling its part; returns part 0's loss (every other part must return 0).</summary>
    internal static float RunParts(ISharedBatch net, float[] x, float[] t, int batch, float[] gradient, int parts) =>
        RunParts(parts, (part, barrier) => net.BackwardBatchPart(x, t, batch, gradient, part, parts, barrier));

    /// <summary>Runs <paramref name="parts"/> threads of <paramref name="run"/> (part, barrier); returns part 0's loss (every other part must return 0).</summary>
    private static float RunParts(int parts, Func<int, SpinBarrier, float> run)
    {
        var barrier = new SpinBarrier(parts);
        var losses = new float[parts];
        var errors = new Exception?[parts];
        var threads = Enumerable.Range(0, parts).Select(part => new Thread(() =>
        {
            try { losses[part] = run(part, barrier); }
            catch (Exception e) { errors[part] = e; }
        })).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        foreach (var error in errors) if (error is not null) throw error;
        for (int p = 1; p < parts; p++) Assert.Equal(0f, losses[p]);
        return losses[0];
    }

    private static (float[] X, float[] T) Batch(INetwork net, int batch, int seed)
    {
        var random = new Random(seed);
        var x = new float[batch * net.InputSize];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        var t = new float[batch * net.OutputSize];
        for (int s = 0; s < batch; s++)
        {
            if (net.Architecture.Loss is Loss.CrossEntropy) t[s * net.OutputSize + random.Next(net.OutputSize)] = 1f;
            else for (int k = 0; k < net.OutputSize; k++) t[s * net.OutputSize + k] = (float)random.NextDouble();
        }
        return (x, t);
    }

    [Theory]
    [MemberData(nameof(Shared))]
    public void Parts_AddTheSameBitsAsOneThread(string name)
    {
        var net = Create(name);
        net.InitializeParameters(5);
        var shared = Assert.IsAssignableFrom<ISharedBatch>(net);
        foreach (int batch in new[] { 1, 5, 32, 45, 100 })
        {
            var (x, t) = Batch(net, batch, batch);
            // ADDS: both start from the same non-zero gradient
            var start = Enumerable.Range(0, net.ParameterCount).Select(i => (float)Math.Sin(i)).ToArray();
            var expected = (float[])start.Clone();
            float expectedLoss = net.BackwardBatch(x, t, batch, expected);
            Assert.NotEqual(start, expected);
            foreach (int parts in new[] { 1, 2, 3, 4, 7 })
            {
                var gradient = (float[])start.Clone();
                float loss = RunParts(shared, x, t, batch, gradient, parts);
                Assert.Equal(BitConverter.SingleToInt32Bits(expectedLoss), BitConverter.SingleToInt32Bits(loss));
                for (int i = 0; i < gradient.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(gradient[i]),
                        $"{name}, batch {batch}, {parts} parts: gradient[{i}] = {gradient[i]:R}, one thread {expected[i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shared))]
    public void TrainParts_LeaveTheSameBitsAsTrainBatch(string name)
    {
        var net = Create(name);
        var shared = (ISharedBatch)net;
        var expected = Create(name);
        // up to one chunk (32) the step is fused, each part moving its columns; past it, through the gradient buffer
        foreach (int batch in new[] { 1, 5, 32, 33, 100 })
        {
            var (x, t) = Batch(net, batch, batch + 1);
            foreach (int parts in new[] { 1, 2, 3, 4, 7 })
            {
                expected.InitializeParameters(batch + parts);
                net.InitializeParameters(batch + parts);
                float rate = 0.37f;
                float expectedLoss = expected.TrainBatch(x, t, batch, rate);
                expectedLoss += expected.TrainBatch(x, t, batch, rate); // and a second step, from the moved parameters
                float loss = RunParts(parts, (part, barrier) => shared.TrainBatchPart(x, t, batch, rate, part, parts, barrier));
                loss += RunParts(parts, (part, barrier) => shared.TrainBatchPart(x, t, batch, rate, part, parts, barrier));
                Assert.Equal(BitConverter.SingleToInt32Bits(expectedLoss), BitConverter.SingleToInt32Bits(loss));
                var want = expected.Parameters;
                var got = net.Parameters;
                for (int i = 0; i < want.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(want[i]) == BitConverter.SingleToInt32Bits(got[i]),
                        $"{name}, batch {batch}, {parts} parts: parameter {i} = {got[i]:R}, one thread {want[i]:R}");
            }
        }
    }

    [Fact]
    public void BadTrainPartsThrow_AndChangeNothing()
    {
        INetwork net = new MnistNet();
        net.InitializeParameters(1);
        var before = net.Parameters.ToArray();
        var shared = (ISharedBatch)net;
        var (x, t) = Batch(net, 4, 1);
        Assert.Equal("part", Assert.Throws<ArgumentOutOfRangeException>(() => shared.TrainBatchPart(x, t, 4, 0.1f, 2, 2, new SpinBarrier(2))).ParamName);
        Assert.Equal("parts", Assert.Throws<ArgumentOutOfRangeException>(() => shared.TrainBatchPart(x, t, 4, 0.1f, 0, 2, new SpinBarrier(3))).ParamName);
        Assert.Equal("barrier", Assert.Throws<ArgumentNullException>(() => shared.TrainBatchPart(x, t, 4, 0.1f, 0, 1, null!)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentException>(() => shared.TrainBatchPart(x, t.AsSpan(1), 4, 0.1f, 0, 1, new SpinBarrier(1))).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => shared.TrainBatchPart(x, t, 5, 0.1f, 0, 1, new SpinBarrier(1))).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => shared.TrainBatchPart(x, t, 0, 0.1f, 0, 1, new SpinBarrier(1))).ParamName);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    // The ranges a team's parts clear and step: every parameter once, from whole lines, and for a layer that the forward pass
    // splits by rows, the weights and biases of the part's own rows (but for the floats that rounding to a line moves).
    [Fact]
    public void ParameterShares_CoverEveryParameterOnce_FromWholeLines_ByTheForwardRows()
    {
        int[][] shapes = [[784, 128, 10], [784, 256, 128, 10], [70, 48, 35, 6], [100, 40], [50, 10], [17, 9, 33], [1003, 40, 3], [3, 1], [20, 40, 17, 3]];
        foreach (var sizes in shapes)
        foreach (int parts in new[] { 1, 2, 3, 4, 7, 16 })
        {
            int count = 0;
            for (int l = 1; l < sizes.Length; l++) count += sizes[l] * (sizes[l - 1] + 1);
            var owner = Enumerable.Repeat(-1, count).ToArray();
            var bounds = new int[4 * (sizes.Length - 1)];
            for (int part = 0; part < parts; part++)
            {
                SharedBatch.ParameterShare(sizes, part, parts, bounds);
                for (int r = 0; r < bounds.Length; r += 2)
                {
                    int from = bounds[r], to = bounds[r + 1];
                    string where = $"{string.Join('-', sizes)}, part {part} of {parts}: [{from}, {to})";
                    Assert.True(from <= to && (from % 16 == 0 || from == count) && (to % 16 == 0 || to == count), where);
                    for (int i = from; i < to; i++)
                    {
                        Assert.True(owner[i] < 0, $"{where}: parameter {i} is part {owner[i]}'s too");
                        owner[i] = part;
                    }
                }
            }
            Assert.DoesNotContain(-1, owner);
            int w = 0;
            for (int l = 1; l < sizes.Length; l++)
            {
                int inputs = sizes[l - 1], units = sizes[l], b = w + units * inputs;
                for (int part = 0; part < parts && Kernels.Dense.RowShare(units, 0, parts).To < units; part++)
                {
                    var (first, end) = Kernels.Dense.RowShare(units, part, parts);
                    foreach (var (lo, hi) in new[] { (w + first * inputs, w + end * inputs), (b + first, b + end) })
                        for (int i = lo; i < hi; i++)
                            Assert.True(owner[i] == part || i - lo < 16 || hi - i <= 16,
                                $"{string.Join('-', sizes)}, {parts} parts: parameter {i} of layer {l - 1}'s rows [{first}, {end}) is part {owner[i]}'s, not {part}'s");
                }
                w = b + units;
            }
        }
    }

    [Fact]
    public void BadParameterSharesThrow()
    {
        var bounds = new int[8];
        Assert.Equal("sizes", Assert.Throws<ArgumentException>(() => SharedBatch.ParameterShare([5], 0, 1, bounds)).ParamName);
        Assert.Equal("sizes", Assert.Throws<ArgumentException>(() => SharedBatch.ParameterShare([5, 0, 3], 0, 1, bounds)).ParamName);
        Assert.Equal("part", Assert.Throws<ArgumentOutOfRangeException>(() => SharedBatch.ParameterShare([5, 4, 3], 2, 2, bounds)).ParamName);
        Assert.Equal("parts", Assert.Throws<ArgumentOutOfRangeException>(() => SharedBatch.ParameterShare([5, 4, 3], 0, 0, bounds)).ParamName);
        Assert.Equal("bounds", Assert.Throws<ArgumentException>(() => SharedBatch.ParameterShare([5, 4, 3], 0, 1, new int[4])).ParamName);
    }

    [Fact]
    public void BadPartsThrow_AndChangeNothing()
    {
        INetwork net = new MnistNet();
        net.InitializeParameters(1);
        var shared = (ISharedBatch)net;
        var (x, t) = Batch(net, 4, 1);
        var gradient = new float[net.ParameterCount];
        Assert.Equal("part", Assert.Throws<ArgumentOutOfRangeException>(() => shared.BackwardBatchPart(x, t, 4, gradient, 2, 2, new SpinBarrier(2))).ParamName);
        Assert.Equal("part", Assert.Throws<ArgumentOutOfRangeException>(() => shared.BackwardBatchPart(x, t, 4, gradient, -1, 2, new SpinBarrier(2))).ParamName);
        Assert.Equal("parts", Assert.Throws<ArgumentOutOfRangeException>(() => shared.BackwardBatchPart(x, t, 4, gradient, 0, 2, new SpinBarrier(3))).ParamName);
        Assert.Equal("parts", Assert.Throws<ArgumentOutOfRangeException>(() => shared.BackwardBatchPart(x, t, 4, gradient, 0, 0, new SpinBarrier(0))).ParamName);
        Assert.Equal("barrier", Assert.Throws<ArgumentNullException>(() => shared.BackwardBatchPart(x, t, 4, gradient, 0, 1, null!)).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentException>(() => shared.BackwardBatchPart(x, t, 4, new float[3], 0, 1, new SpinBarrier(1))).ParamName);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => shared.BackwardBatchPart(x, t, 5, gradient, 0, 1, new SpinBarrier(1))).ParamName);
        Assert.All(gradient, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void OnlyNetworksOnTheBatchKernelsWithoutDropoutShareBatches()
    {
        Assert.False(new WideDropoutNet() is ISharedBatch); // dropout masks follow the samples
        Assert.False(new TutorialNet() is ISharedBatch); // unrolled: too small for a share of a layer to pay
        Assert.True(new MnistNet() is ISharedBatch);
    }

    [Fact]
    public void RowShares_CoverEveryRowOnce_InRunsOfAtLeast16()
    {
        foreach (int outputs in new[] { 1, 15, 16, 31, 32, 33, 47, 48, 100, 128, 1000 })
        foreach (int parts in new[] { 1, 2, 3, 4, 8, 16 })
        {
            int next = 0;
            for (int part = 0; part < parts; part++)
            {
                var (from, to) = Kernels.Dense.RowShare(outputs, part, parts);
                if (from == to) continue;
                Assert.Equal(next, from);
                Assert.True(to - from >= Math.Min(16, outputs), $"{outputs} rows, {parts} parts: a run of {to - from}");
                next = to;
            }
            Assert.Equal(outputs, next);
        }
    }
}
