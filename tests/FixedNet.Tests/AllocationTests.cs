using System;
using FixedNet;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// Counting a thread's allocated bytes is exact, but what the runtime itself does on the thread is counted too, and the
/// JIT compiles on the calling thread (a first call, an on-stack replacement of a running loop, which tiered compilation
/// does at times that depend on the machine's load). So measurements run apart from the other tests, and a window in
/// which the JIT compiled a method on this thread is measured again instead of being counted.
/// </summary>
[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    /// <summary>Bytes this thread allocated while <paramref name="run"/> ran, or null when the JIT compiled on this thread meanwhile.</summary>
    public static long? Measure(Action run)
    {
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        run();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true) == compiled ? allocated : null;
    }

    /// <summary>
    /// Asserts that <paramref name="run"/> allocates nothing: one of the first 3 windows free of JIT activity (out of up to
    /// 8 tries) must count 0 bytes. An allocation in the code under test is counted in every window, so it fails every
    /// time; a single window with a few KB that the runtime allocated on this thread for reasons of its own (seen about
    /// once in thirty cold runs, in a different network each time, source not found) does not.
    /// </summary>
    public static void AssertAllocatesNothing(Action run)
    {
        var counted = new System.Collections.Generic.List<long>();
        for (int attempt = 0; attempt < 8 && counted.Count < 3; attempt++)
        {
            if (Measure(run) is not long allocated) continue;
            if (allocated == 0) return;
            counted.Add(allocated);
        }
        Assert.Fail(counted.Count == 0
            ? "The JIT compiled on this thread in each of 8 measurement windows; nothing was measured."
            : $"Allocated in every measured window: {string.Join(", ", counted)} bytes.");
    }
}

/// <summary>The hot path allocates nothing.</summary>
[Collection(nameof(AllocationMeasurements))]
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
        AllocationMeasurements.AssertAllocatesNothing(() =>
        {
            for (int i = 0; i < 200; i++) Run();
        });
    }
}
