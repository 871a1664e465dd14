using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FixedNet.Data;
using FixedNet.Runtime;
using FixedNet.Training;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// <see cref="AlignedBuffer"/> starts on a 64-byte boundary and stays there when the GC compacts the heap; generated
/// networks keep all their float buffers in such buffers; the trainer hands networks aligned batches.
/// </summary>
/// <remarks>These tests force full compacting collections, so they run apart from the allocation measurements.</remarks>
[Collection(nameof(AllocationMeasurements))]
public class AlignmentTests
{
    /// <summary>Address of the first element modulo 64 (read without unsafe code: the byte offset from a null reference).</summary>
    internal static long Misalignment(ReadOnlySpan<float> span) =>
        Unsafe.ByteOffset(ref Unsafe.NullRef<float>(), ref MemoryMarshal.GetReference(span)) % AlignedBuffer.Alignment;

    /// <summary>Leaves garbage of odd sizes behind, then runs a full compacting collection (large object heap included).</summary>
    internal static void CompactHeap()
    {
        var keep = new List<float[]>();
        for (int i = 0; i < 2000; i++)
        {
            var garbage = new float[1 + i % 37];
            if (i % 3 == 0) keep.Add(garbage);
        }
        keep.Add(new float[100_003]);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.KeepAlive(keep);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100_000)]
    public void Buffer_starts_on_64_bytes_zeroed_and_keeps_its_place_and_values_across_a_compacting_collection(int length)
    {
        // Several buffers, interleaved with ordinary arrays, so that their underlying arrays start at different offsets.
        var buffers = new AlignedBuffer[8];
        var spacers = new float[8][];
        for (int k = 0; k < buffers.Length; k++)
        {
            spacers[k] = new float[k + 1];
            buffers[k] = new AlignedBuffer(length);
        }
        for (int k = 0; k < buffers.Length; k++)
        {
            Assert.Equal(length, buffers[k].Length);
            Assert.Equal(length, buffers[k].Span.Length);
            Assert.Equal(0, Misalignment(buffers[k].Span));
            Assert.True(Unsafe.AreSame(ref buffers[k].Reference, ref MemoryMarshal.GetReference(buffers[k].Span)));
            Assert.All(buffers[k].Span.ToArray(), v => Assert.Equal(0f, v));
            var span = buffers[k].Span;
            for (int i = 0; i < span.Length; i++) span[i] = k * 1000 + i;
        }

        CompactHeap();

        for (int k = 0; k < buffers.Length; k++)
        {
            Assert.Equal(0, Misalignment(buffers[k].Span));
            var span = buffers[k].Span;
            for (int i = 0; i < span.Length; i++) Assert.Equal(k * 1000 + i, span[i]);
        }
        GC.KeepAlive(spacers);
    }

    [Fact]
    public void Empty_and_default_buffers_have_no_floats()
    {
        Assert.Equal(0, new AlignedBuffer(0).Span.Length);
        Assert.Equal(0, default(AlignedBuffer).Span.Length);
    }

    [Fact]
    public void Negative_length_is_rejected_naming_the_argument()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedBuffer(-1));
        Assert.Equal("length", e.ParamName);
    }

    [Theory]
    [MemberData(nameof(Networks.All), MemberType = typeof(Networks))]
    public void Generated_network_keeps_every_float_buffer_on_64_bytes_across_a_compacting_collection(string name)
    {
        var net = Networks.CreateInitialized(name, 5);
        var before = net.Parameters.ToArray();
        CompactHeap();

        Assert.Equal(0, Misalignment(net.Parameters));
        Assert.Equal(before, net.Parameters.ToArray());
        // The network's buffers are in its core (FixedNet.Generated.{Name}Core), the one object the class holds.
        var own = net.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        Assert.Empty(own.Where(f => f.FieldType == typeof(float[]) || f.FieldType == typeof(AlignedBuffer)).Select(f => f.Name));
        var core = net.GetType().GetField("_core", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(net)!;
        Assert.Equal("FixedNet.Generated", core.GetType().Namespace);
        var fields = core.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic);
        Assert.Empty(fields.Where(f => f.FieldType == typeof(float[])).Select(f => f.Name)); // no unaligned buffer left
        var buffers = fields.Where(f => f.FieldType == typeof(AlignedBuffer)).ToList();
        Assert.Contains(buffers, f => f.Name == "_parameters");
        foreach (var field in buffers)
        {
            var buffer = (AlignedBuffer)field.GetValue(core)!;
            Assert.True(buffer.Length > 0, field.Name);
            Assert.True(Misalignment(buffer.Span) == 0, $"{name}.{field.Name} starts {Misalignment(buffer.Span)} bytes past a 64-byte boundary.");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("adam")]
    public void Trainer_hands_the_network_batches_and_gradients_that_start_on_64_bytes(string? optimizer)
    {
        // 6 inputs: a row is 24 bytes, so the user's array and most of its rows are not aligned; the batch copy is.
        var spy = new AlignmentSpy(new ReferenceNetwork(6, [(8, Activation.Tanh), (2, Activation.Softmax)], Loss.CrossEntropy));
        spy.InitializeParameters(1);
        var random = new Random(3);
        var x = new float[50 * 6];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble();
        var labels = Enumerable.Range(0, 50).Select(i => i % 2).ToArray();
        new Trainer<AlignmentSpy>(spy, new TrainerOptions { Epochs = 2, BatchSize = 16, Optimizer = TrainerTests.Create(optimizer ?? "sgd") })
            .Fit(new Dataset(x, OneHot.Encode(labels, 2), 6, 2));

        Assert.Equal(2 * 4, spy.Calls); // 50 samples: batches of 16, 16, 16 and 2, twice
        Assert.Equal(0, spy.MisalignedInputs);
        Assert.Equal(0, spy.MisalignedGradients);
    }

    /// <summary>Forwards to a reference network and counts batch calls whose inputs or gradient do not start on 64 bytes.</summary>
    private sealed class AlignmentSpy(ReferenceNetwork inner) : ForwardingNetwork(inner)
    {
        public int Calls, MisalignedInputs, MisalignedGradients;

        public override float BackwardBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, Span<float> gradient)
        {
            Record(inputs);
            if (Misalignment(gradient) != 0) MisalignedGradients++;
            return inner.BackwardBatch(inputs, targets, batchSize, gradient);
        }

        public override float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, float learningRate)
        {
            Record(inputs);
            return inner.TrainBatch(inputs, targets, batchSize, learningRate);
        }

        private void Record(ReadOnlySpan<float> inputs)
        {
            Calls++;
            if (Misalignment(inputs) != 0) MisalignedInputs++;
        }
    }
}
