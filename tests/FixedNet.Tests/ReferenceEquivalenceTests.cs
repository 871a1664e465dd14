using System;
using System.Linq;
using FixedNet;
using Xunit;

namespace FixedNet.Tests;

/// <summary>Generated networks against the runtime-sized <see cref="ReferenceNetwork"/> (the oracle), to 1e-5.</summary>
public class ReferenceEquivalenceTests
{
    public static TheoryData<string> Names => Networks.All;

    private static ReferenceNetwork ReferenceFor(INetwork net, ReferenceKernel kernel)
    {
        var reference = new ReferenceNetwork(net.Architecture, kernel);
        net.Parameters.CopyTo(reference.Parameters);
        reference.DropoutState = net.DropoutState; // the same dropout masks in training
        return reference;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardAndBackward_MatchTheReference(string name)
    {
        foreach (var kernel in new[] { ReferenceKernel.Scalar, ReferenceKernel.TensorPrimitives })
        {
            var net = Networks.CreateInitialized(name, 21);
            var reference = ReferenceFor(net, kernel);
            var x = Networks.RandomInputs(net.InputSize, 22);
            var t = Networks.RandomTargets(net.Architecture, 1, 23);

            var expected = new float[net.OutputSize];
            var actual = new float[net.OutputSize];
            reference.Forward(x, expected);
            net.Forward(x, actual);
            Networks.AssertClose(expected, actual, 1e-5, name + " output");

            Assert.Equal(reference.ComputeLoss(x, t), net.ComputeLoss(x, t), 1e-5);

            var g1 = new float[net.ParameterCount];
            var g2 = new float[net.ParameterCount];
            Assert.Equal(reference.Backward(x, t, g1), net.Backward(x, t, g2), 1e-5);
            Networks.AssertClose(g1, g2, 1e-5, name + " gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TrainingSteps_StayWithTheReference(string name)
    {
        var net = Networks.CreateInitialized(name, 31);
        var reference = ReferenceFor(net, ReferenceKernel.Scalar);
        for (int step = 0; step < 5; step++)
        {
            var x = Networks.RandomInputs(net.InputSize, 40 + step);
            var t = Networks.RandomTargets(net.Architecture, 1, 50 + step);
            Assert.Equal(reference.TrainStep(x, t, 0.05f), net.TrainStep(x, t, 0.05f), 1e-5);
        }
        Networks.AssertClose(reference.Parameters, net.Parameters, 1e-5, name + " parameters after 5 steps");
    }

    public static TheoryData<string, int> NamesAndBatchSizes()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in Networks.Small.Concat(Networks.Wide))
            foreach (int batch in new[] { 1, 7, 32, 45 }) data.Add(name, batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(NamesAndBatchSizes))]
    public void Batches_MatchTheMeanOfSingleSamples(string name, int batch)
    {
        var net = Networks.CreateInitialized(name, 61);
        var reference = ReferenceFor(net, ReferenceKernel.Scalar);
        var x = Networks.RandomInputs(net.InputSize * batch, 62);
        var t = Networks.RandomTargets(net.Architecture, batch, 63);

        // Mean gradient by hand from single samples.
        var sum = new float[net.ParameterCount];
        float lossSum = 0;
        for (int s = 0; s < batch; s++)
            lossSum += reference.Backward(x.AsSpan(s * net.InputSize, net.InputSize), t.AsSpan(s * net.OutputSize, net.OutputSize), sum);
        var mean = sum.Select(g => g / batch).ToArray();

        // Sample s of a batch draws the dropout masks of the s-th single sample: both start at the same position.
        ulong state = net.DropoutState;
        var gradient = new float[net.ParameterCount];
        Assert.Equal(lossSum / batch, net.BackwardBatch(x, t, batch, gradient), 1e-5);
        Networks.AssertClose(mean, gradient, 1e-5, name + " mean gradient");
        Assert.Equal(reference.DropoutState, net.DropoutState);

        net.DropoutState = state;
        var before = net.Parameters.ToArray();
        Assert.Equal(lossSum / batch, net.TrainBatch(x, t, batch, 0.2f), 1e-5);
        Networks.AssertClose(before.Select((p, k) => p - 0.2f * mean[k]).ToArray(), net.Parameters, 1e-5, name + " after TrainBatch");
    }

    public static TheoryData<string, int> NamesAndInferenceBatchSizes()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in Networks.Small.Concat(Networks.Wide))
            foreach (int batch in new[] { 1, 7, 32, 45, 70 }) data.Add(name, batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(NamesAndInferenceBatchSizes))]
    public void BatchInference_MatchesTheReferenceSampleBySample(string name, int batch)
    {
        var net = Networks.CreateInitialized(name, 71);
        var reference = ReferenceFor(net, ReferenceKernel.Scalar);
        int n = net.InputSize, m = net.OutputSize;
        var x = Networks.RandomInputs(n * batch, 72);
        var t = Networks.RandomTargets(net.Architecture, batch, 73);

        var expected = new float[m * batch];
        float lossSum = 0;
        for (int s = 0; s < batch; s++)
        {
            reference.Forward(x.AsSpan(s * n, n), expected.AsSpan(s * m, m));
            lossSum += reference.ComputeLoss(x.AsSpan(s * n, n), t.AsSpan(s * m, m));
        }

        // NaN first, so a row the batch path leaves unwritten fails the comparison.
        var outputs = Enumerable.Repeat(float.NaN, m * batch).ToArray();
        net.ForwardBatch(x, outputs, batch);
        Networks.AssertClose(expected, outputs, 1e-5, name + " ForwardBatch");

        Array.Fill(outputs, float.NaN);
        Assert.Equal(lossSum / batch, net.ComputeLossBatch(x, t, batch, outputs), 1e-5);
        Networks.AssertClose(expected, outputs, 1e-5, name + " ComputeLossBatch outputs");

        // The interface's default implementation, which the reference engine uses, is the per-sample loop exactly.
        INetwork oracle = reference;
        var looped = new float[m * batch];
        oracle.ForwardBatch(x, looped, batch);
        Assert.Equal(expected, looped);
        Assert.Equal(lossSum / batch, oracle.ComputeLossBatch(x, t, batch, looped));
        Assert.Equal(expected, looped);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void BatchInference_IsGenerated_NotTheInterfaceDefault(string name)
    {
        var type = Networks.Create(name).GetType();
        var map = type.GetInterfaceMap(typeof(INetwork));
        foreach (var method in new[] { nameof(INetwork.ForwardBatch), nameof(INetwork.ComputeLossBatch) })
        {
            int index = Array.FindIndex(map.InterfaceMethods, i => i.Name == method);
            Assert.Equal(type, map.TargetMethods[index].DeclaringType);
        }
    }
}
