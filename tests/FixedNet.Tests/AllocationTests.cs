using System;
using FixedNet;
using Xunit;

namespace FixedNet.Tests;

/// <summary>The hot path allocates nothing.</summary>
public class AllocationTests
{
    public static TheoryData<string> Names => Networks.All;

    [Theory]
    [MemberData(nameof(Names))]
    public void HotPath_AllocatesNothing(string name)
    {
        const int batch = 4;
        var net = Networks.CreateInitialized(name, 1);
        var x = Networks.RandomInputs(net.InputSize * batch, 2);
        var t = Networks.RandomTargets(net.Architecture, batch, 3);
        var output = new float[net.OutputSize];
        var outputs = new float[net.OutputSize * batch];
        var gradient = new float[net.ParameterCount];
        var one = x.AsSpan(0, net.InputSize).ToArray();
        var oneTarget = t.AsSpan(0, net.OutputSize).ToArray();

        void Run()
        {
            net.Forward(one, output);
            net.ComputeLoss(one, oneTarget);
            net.Backward(one, oneTarget, gradient);
            net.TrainStep(one, oneTarget, 1e-4f);
            net.BackwardBatch(x, t, batch, gradient);
            net.TrainBatch(x, t, batch, 1e-4f);
            net.ForwardBatch(x, outputs, batch);
            net.ComputeLossBatch(x, t, batch, outputs);
        }

        for (int i = 0; i < 50; i++) Run(); // JIT and tiering first
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) Run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }
}
