using System;
using System.Diagnostics;
using System.Threading;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>The spinning barrier: short waits spin, long ones (past about a millisecond) block, and every round completes.</summary>
public class SpinBarrierTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryRoundCompletes_WhetherTheWaitsSpinOrBlock(int participants)
    {
        // Rounds where one thread comes late by 0–4 ms, each thread in turn: waits of a few µs spin, those past 1 ms
        // block and must be woken by the last thread to arrive. Each thread writes its round number before the barrier,
        // and after it reads every other thread's.
        const int Rounds = 60;
        var barrier = new SpinBarrier(participants);
        var written = new int[participants];
        var seen = new int[participants];
        var threads = new Thread[participants];
        Exception? failure = null;
        for (int p = 0; p < participants; p++)
        {
            int me = p;
            threads[p] = new Thread(() =>
            {
                try
                {
                    for (int round = 1; round <= Rounds; round++)
                    {
                        if (round % participants == me) Thread.Sleep(round % 5); // late by 0–4 ms
                        written[me] = round;
                        barrier.SignalAndWait();
                        for (int other = 0; other < participants; other++)
                            if (Volatile.Read(ref written[other]) < round) throw new InvalidOperationException($"round {round}: thread {other} not seen");
                        seen[me] = round;
                        barrier.SignalAndWait(); // nobody writes the next round before everyone has read this one
                    }
                }
                catch (Exception exception)
                {
                    failure = exception;
                }
            }) { IsBackground = true };
            threads[p].Start();
        }
        var clock = Stopwatch.StartNew();
        foreach (var thread in threads) Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "a thread was never woken");
        Assert.Null(failure);
        Assert.All(seen, s => Assert.Equal(Rounds, s));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void AThreadLeftWaiting_Blocks_InsteadOfTakingItsCore()
    {
        // One thread waits 300 ms for the other: past the first millisecond it sleeps, so its CPU time stays far below
        // the wall time (a thread that spun or yielded throughout would use about all of it).
        var barrier = new SpinBarrier(2);
        TimeSpan cpu = default;
        var waiter = new Thread(() =>
        {
            var start = GetThreadCpu();
            barrier.SignalAndWait();
            cpu = GetThreadCpu() - start;
        }) { IsBackground = true };
        waiter.Start();
        Thread.Sleep(300);
        barrier.SignalAndWait();
        Assert.True(waiter.Join(TimeSpan.FromSeconds(10)));
        Assert.InRange(cpu, TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Blocking_AllocatesNothing()
    {
        // a worker that blocks at every round (its partner comes 3 ms late) allocates nothing once it has blocked once
        var barrier = new SpinBarrier(2);
        long allocated = -1;
        var waiter = new Thread(() =>
        {
            barrier.SignalAndWait(); // the first block
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < 20; round++) barrier.SignalAndWait();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }) { IsBackground = true };
        waiter.Start();
        for (int round = 0; round < 21; round++)
        {
            Thread.Sleep(3);
            barrier.SignalAndWait();
        }
        Assert.True(waiter.Join(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, allocated);
    }

    // This thread's CPU time (user and kernel), from /proc on Linux, else from the process's threads.
    private static TimeSpan GetThreadCpu()
    {
        if (OperatingSystem.IsLinux())
        {
            // fields 14 and 15 of /proc/thread-self/stat: utime and stime in clock ticks (100 per second here)
            string stat = System.IO.File.ReadAllText("/proc/thread-self/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        return Process.GetCurrentProcess().TotalProcessorTime; // a bound for the test's purpose: the whole process
    }
}
