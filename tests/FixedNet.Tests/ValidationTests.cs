using System;
using System.Linq;
using FixedNet;
using Xunit;

namespace FixedNet.Tests;

/// <summary>Wrong span lengths throw an ArgumentException naming the argument, and change nothing.</summary>
public class ValidationTests
{
    public static TheoryData<string> Names => Networks.AllButLarge;

    private static void AssertRejected(INetwork net, string parameter, Action call, float[]? gradient = null)
    {
        var parameters = net.Parameters.ToArray();
        var gradientBefore = gradient?.ToArray();
        var error = Assert.ThrowsAny<ArgumentException>(call);
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(parameter, error.Message);
        Assert.Equal(parameters, net.Parameters.ToArray());
        if (gradient is not null) Assert.Equal(gradientBefore, gradient);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void WrongLengths_ThrowNamingTheArgument(string name)
    {
        var net = Networks.CreateInitialized(name, 5);
        int n = net.InputSize, m = net.OutputSize, p = net.ParameterCount;
        float[] x = Networks.RandomInputs(n, 1), t = Networks.RandomTargets(net.Architecture, 1, 2);
        foreach (int delta in new[] { -1, 1 })
        {
            float[] badX = new float[n + delta], badT = new float[m + delta], badOut = new float[m + delta];
            var gradient = Enumerable.Repeat(0.5f, p).ToArray();
            var badGradient = Enumerable.Repeat(0.5f, p + delta).ToArray();
            AssertRejected(net, "input", () => net.Forward(badX, new float[m]));
            AssertRejected(net, "output", () => net.Forward(x, badOut));
            AssertRejected(net, "input", () => net.ComputeLoss(badX, t));
            AssertRejected(net, "target", () => net.ComputeLoss(x, badT));
            AssertRejected(net, "input", () => net.Backward(badX, t, gradient), gradient);
            AssertRejected(net, "target", () => net.Backward(x, badT, gradient), gradient);
            AssertRejected(net, "gradient", () => net.Backward(x, t, badGradient), badGradient);
            AssertRejected(net, "input", () => net.TrainStep(badX, t, 0.1f));
            AssertRejected(net, "target", () => net.TrainStep(x, badT, 0.1f));

            float[] xs = Networks.RandomInputs(n * 3, 3), ts = Networks.RandomTargets(net.Architecture, 3, 4);
            float[] badXs = Networks.RandomInputs(n * 3 + delta, 3);
            AssertRejected(net, "inputs", () => net.TrainBatch(badXs, ts, 3, 0.1f));
            AssertRejected(net, "targets", () => net.TrainBatch(xs, ts.AsSpan(0, m * 2), 3, 0.1f));
            AssertRejected(net, "inputs", () => net.BackwardBatch(xs, ts, 2, gradient), gradient);
            AssertRejected(net, "gradient", () => net.BackwardBatch(xs, ts, 3, badGradient), badGradient);
            AssertRejected(net, "batchSize", () => net.TrainBatch(xs, ts, 0, 0.1f));
            AssertRejected(net, "batchSize", () => net.BackwardBatch(xs, ts, -1, gradient), gradient);

            var outputs = Enumerable.Repeat(0.25f, m * 3).ToArray();
            var badOutputs = Enumerable.Repeat(0.25f, m * 3 + delta).ToArray();
            AssertRejected(net, "inputs", () => net.ForwardBatch(badXs, outputs, 3), outputs);
            AssertRejected(net, "outputs", () => net.ForwardBatch(xs, badOutputs, 3), badOutputs);
            AssertRejected(net, "batchSize", () => net.ForwardBatch(xs, outputs, 0), outputs);
            AssertRejected(net, "inputs", () => net.ComputeLossBatch(badXs, ts, 3, outputs), outputs);
            AssertRejected(net, "targets", () => net.ComputeLossBatch(xs, ts.AsSpan(0, m * 2), 3, outputs), outputs);
            AssertRejected(net, "outputs", () => net.ComputeLossBatch(xs, ts, 3, badOutputs), badOutputs);
            AssertRejected(net, "batchSize", () => net.ComputeLossBatch(xs, ts, -2, outputs), outputs);

            // Outputs sharing memory with what the batch path still reads: rejected, nothing written.
            // Each pair below overlaps by exactly one value.
            var shared = Networks.RandomInputs(n * 3 + m * 6, 6);
            var sharedBefore = shared.ToArray();
            AssertRejected(net, "outputs", () => net.ForwardBatch(shared.AsSpan(0, n * 3), shared.AsSpan(n * 3 - 1, m * 3), 3));
            AssertRejected(net, "outputs", () => net.ComputeLossBatch(shared.AsSpan(0, n * 3), ts, 3, shared.AsSpan(n * 3 - 1, m * 3)));
            AssertRejected(net, "outputs", () => net.ComputeLossBatch(xs, shared.AsSpan(0, m * 3), 3, shared.AsSpan(m * 3 - 1, m * 3)));
            net.ForwardBatch(shared.AsSpan(0, n * 3), shared.AsSpan(n * 3, m * 3), 3); // adjacent, not overlapping: accepted
            Assert.Equal(sharedBefore.AsSpan(0, n * 3).ToArray(), shared.AsSpan(0, n * 3).ToArray());
        }
    }

    [Fact]
    public void BatchInferenceDefaults_ValidateLikeTheGeneratedCode()
    {
        // ReferenceNetwork runs INetwork's default ForwardBatch and ComputeLossBatch.
        INetwork net = new ReferenceNetwork(MnistNet.Architecture);
        net.InitializeParameters(5);
        int n = net.InputSize, m = net.OutputSize;
        float[] xs = Networks.RandomInputs(n * 3, 3), ts = Networks.RandomTargets(net.Architecture, 3, 4);
        var outputs = Enumerable.Repeat(0.25f, m * 3).ToArray();
        AssertRejected(net, "inputs", () => net.ForwardBatch(xs.AsSpan(1), outputs, 3), outputs);
        AssertRejected(net, "outputs", () => net.ForwardBatch(xs, outputs.AsSpan(1), 3), outputs);
        AssertRejected(net, "batchSize", () => net.ForwardBatch(xs, outputs, 0), outputs);
        AssertRejected(net, "targets", () => net.ComputeLossBatch(xs, ts.AsSpan(1), 3, outputs), outputs);
        var shared = Networks.RandomInputs(n * 3 + m * 3, 6);
        AssertRejected(net, "outputs", () => net.ForwardBatch(shared.AsSpan(0, n * 3), shared.AsSpan(n * 3 - 1, m * 3), 3));
        AssertRejected(net, "outputs", () => net.ComputeLossBatch(xs, shared.AsSpan(0, m * 3), 3, shared.AsSpan(m * 3 - 1, m * 3)));
    }

    [Fact]
    public void InitializeParameters_IsDeterministicAndWithinTheGlorotOrHeLimits()
    {
        var a = new MnistNet();
        var b = new MnistNet();
        a.InitializeParameters(7);
        b.InitializeParameters(7);
        Assert.Equal(a.Parameters.ToArray(), b.Parameters.ToArray());
        b.InitializeParameters(8);
        Assert.NotEqual(a.Parameters.ToArray(), b.Parameters.ToArray());

        foreach (var layer in MnistNet.Architecture.Layers)
        {
            double limit = layer.Activation == Activation.ReLU ? Math.Sqrt(6.0 / layer.Inputs) : Math.Sqrt(6.0 / (layer.Inputs + layer.Size));
            var weights = a.Parameters.Slice(layer.WeightOffset, layer.WeightCount).ToArray();
            Assert.All(weights, w => Assert.InRange(Math.Abs(w), 0, limit));
            Assert.True(weights.Max() > 0.9 * limit && weights.Min() < -0.9 * limit, "weights span the whole interval");
            Assert.InRange(weights.Average(), -0.05 * limit, 0.05 * limit);
            Assert.All(a.Parameters.Slice(layer.BiasOffset, layer.Size).ToArray(), bias => Assert.Equal(0f, bias));
        }
        // The same seed gives the reference engine the same parameters.
        var reference = new ReferenceNetwork(MnistNet.Architecture);
        reference.InitializeParameters(7);
        Assert.Equal(a.Parameters.ToArray(), reference.Parameters.ToArray());
    }

    [Fact]
    public void Constants_DescribeTheShape()
    {
        Assert.Equal(784, MnistNet.InputSize);
        Assert.Equal(10, MnistNet.OutputSize);
        Assert.Equal(784 * 128 + 128 + 128 * 10 + 10, MnistNet.ParameterCount);
        Assert.Equal(MnistNet.ParameterCount, new MnistNet().Parameters.Length);
        var layers = MnistNet.Architecture.Layers;
        Assert.Equal(new LayerSpec(784, 128, Activation.ReLU, 0, 784 * 128), layers[0]);
        Assert.Equal(new LayerSpec(128, 10, Activation.Softmax, 784 * 128 + 128, 784 * 128 + 128 + 1280), layers[1]);
        Assert.Equal(Loss.CrossEntropy, MnistNet.Architecture.Loss);
    }
}
