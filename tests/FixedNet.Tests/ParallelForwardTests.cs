using System;
using System.Linq;
using System.Threading;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>Tests that set <see cref="ParallelForward.DegreeOfParallelism"/>, a process-wide setting: they run alone.</summary>
[CollectionDefinition(nameof(ParallelForwardSettings), DisableParallelization = true)]
public sealed class ParallelForwardSettings;

/// <summary>
/// A large <c>ForwardBatch</c> on several cores (issue 18): shards of whole chunks on clones, the same bits as one core,
/// the current parameters, nothing allocated once the clones exist, and one core wherever the split does not pay.
/// </summary>
[Collection(nameof(ParallelForwardSettings))]
public class ParallelForwardTests
{
    private static float[] Run(INetwork net, float[] x, int batch, int? cores, out long splits)
    {
        var previous = ParallelForward.DegreeOfParallelism;
        ParallelForward.DegreeOfParallelism = cores;
        try
        {
            long before = Interlocked.Read(ref ParallelForward.Splits);
            var y = Enumerable.Repeat(float.NaN, batch * net.OutputSize).ToArray(); // a row no shard writes stays NaN
            net.ForwardBatch(x, y, batch);
            splits = Interlocked.Read(ref ParallelForward.Splits) - before;
            return y;
        }
        finally
        {
            ParallelForward.DegreeOfParallelism = previous;
        }
    }

    [Theory]
    [InlineData(1000, 2)]
    [InlineData(999, 3)]   // a last chunk of 7 samples, and three shards of unequal whole chunks
    [InlineData(1033, 4)]
    [InlineData(4096, 16)] // more cores than this machine has: more shards than threads is still right
    public void Split_GivesTheSameBits_AsOneCore(int batch, int cores)
    {
        var net = Networks.CreateInitialized("MnistNet", 1);
        var x = Networks.RandomInputs(batch * net.InputSize, 2);
        var one = Run(net, x, batch, cores: 1, out long noSplit);
        var several = Run(net, x, batch, cores, out long split);
        Assert.Equal(0, noSplit);
        Assert.Equal(1, split);
        Assert.Equal(one.Select(BitConverter.SingleToInt32Bits), several.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Split_UsesTheCurrentParameters()
    {
        var net = Networks.CreateInitialized("MnistNet", 3);
        const int Batch = 512;
        var x = Networks.RandomInputs(Batch * net.InputSize, 4);
        Run(net, x, Batch, cores: 2, out _); // creates the clones
        net.InitializeParameters(5);         // then the parameters change under them
        var expected = Run(net, x, Batch, cores: 1, out _);
        var actual = Run(net, x, Batch, cores: 2, out long split);
        Assert.Equal(1, split);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void SmallBatches_StayOnOneCore()
    {
        var net = Networks.CreateInitialized("MnistNet", 1);
        Assert.Equal(1, ParallelForward.ShardsFor(net.ParameterCount, 41, 16));  // 784-128-10 needs 42 samples a shard
        Assert.Equal(2, ParallelForward.ShardsFor(net.ParameterCount, 83, 16));
        Assert.Equal(1, ParallelForward.ShardsFor(net.ParameterCount, 32, 16));  // one chunk cannot split
        Assert.Equal(16, ParallelForward.ShardsFor(net.ParameterCount, 100_000, 16));
        Assert.Equal(1, ParallelForward.ShardsFor(4_810, 500, 16));              // the digits network: 872 samples a shard
        var x = Networks.RandomInputs(41 * net.InputSize, 2);
        Run(net, x, 41, cores: 16, out long split);
        Assert.Equal(0, split);
        Assert.Throws<ArgumentOutOfRangeException>(() => ParallelForward.DegreeOfParallelism = 0);
    }

    [Fact]
    public void Split_AllocatesNothing_OnceTheClonesExist()
    {
        var net = Networks.CreateInitialized("MnistNet", 1);
        const int Batch = 1024;
        var x = Networks.RandomInputs(Batch * net.InputSize, 2);
        var y = new float[Batch * net.OutputSize];
        var previous = ParallelForward.DegreeOfParallelism;
        ParallelForward.DegreeOfParallelism = 2;
        try
        {
            for (int i = 0; i < 3; i++) net.ForwardBatch(x, y, Batch); // clones, worker thread, JIT
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            long before = Interlocked.Read(ref ParallelForward.Splits);
            for (int i = 0; i < 10; i++) net.ForwardBatch(x, y, Batch);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - bytes);
            Assert.Equal(10, Interlocked.Read(ref ParallelForward.Splits) - before);
        }
        finally
        {
            ParallelForward.DegreeOfParallelism = previous;
        }
    }

    [Fact]
    public void CallsFromSeveralThreads_AreEachRight()
    {
        // One split at a time: the others run on their own thread meanwhile, and every result is the single-core one.
        const int Batch = 700, Threads = 4;
        var nets = Enumerable.Range(0, Threads).Select(i => Networks.CreateInitialized("MnistNet", 10 + i)).ToArray();
        var x = Networks.RandomInputs(Batch * nets[0].InputSize, 2);
        var expected = nets.Select(n => Run(n, x, Batch, cores: 1, out _)).ToArray();
        var previous = ParallelForward.DegreeOfParallelism;
        ParallelForward.DegreeOfParallelism = 2;
        try
        {
            var wrong = new int[Threads];
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                for (int repeat = 0; repeat < 5; repeat++)
                {
                    var y = new float[Batch * nets[t].OutputSize];
                    nets[t].ForwardBatch(x, y, Batch);
                    if (!y.AsSpan().SequenceEqual(expected[t])) wrong[t]++;
                }
            })).ToArray();
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();
            Assert.Equal(new int[Threads], wrong);
        }
        finally
        {
            ParallelForward.DegreeOfParallelism = previous;
        }
    }

    [Fact]
    public void FrozenNetworks_SplitTheirStaticPass_WithTheSameBits()
    {
        // 4-8-5-3 has 83 parameters: 50,535 samples a shard, so 110,000 samples split in two.
        const int Batch = 110_000;
        Assert.Equal(2, ParallelForward.ShardsFor(FrozenSequentialMlp.ParameterCount, Batch, 2));
        var x = Networks.RandomInputs(Batch * FrozenSequentialMlp.InputSize, 7);
        var previous = ParallelForward.DegreeOfParallelism;
        try
        {
            ParallelForward.DegreeOfParallelism = 1;
            var one = new float[Batch * FrozenSequentialMlp.OutputSize];
            FrozenSequentialMlp.ForwardBatch(x, one, Batch);
            ParallelForward.DegreeOfParallelism = 2;
            var two = Enumerable.Repeat(float.NaN, one.Length).ToArray();
            long before = Interlocked.Read(ref ParallelForward.Splits);
            FrozenSequentialMlp.ForwardBatch(x, two, Batch);
            Assert.Equal(1, Interlocked.Read(ref ParallelForward.Splits) - before);
            Assert.Equal(one.Select(BitConverter.SingleToInt32Bits), two.Select(BitConverter.SingleToInt32Bits));
        }
        finally
        {
            ParallelForward.DegreeOfParallelism = previous;
        }
    }
}
