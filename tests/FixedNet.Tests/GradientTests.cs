using System;
using System.Linq;
using FixedNet;
using Xunit;

namespace FixedNet.Tests;

/// <summary>Gradients of every generated network against central differences of an independent double-precision forward pass.</summary>
public class GradientTests
{
    public static TheoryData<string> Names => Networks.AllButLarge;

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_MatchesFiniteDifferences(string name)
    {
        for (int trial = 0; trial < 3; trial++)
        {
            var net = Networks.CreateInitialized(name, seed: 10 + trial);
            var x = Networks.RandomInputs(net.InputSize, seed: 100 + trial);
            var t = Networks.RandomTargets(net.Architecture, 1, seed: 200 + trial);

            var gradient = new float[net.ParameterCount];
            var masks = DoubleOracle.DropoutMasks(net.Architecture, net.DropoutState); // Backward draws these: dropout is on in training
            float loss = net.Backward(x, t, gradient);
            var numeric = DoubleOracle.NumericGradient(net.Architecture, net.Parameters, x, t, masks);
            double exactLoss = DoubleOracle.Loss(net.Architecture, net.Parameters.ToArray().Select(v => (double)v).ToArray(), x, t, masks);

            Assert.Equal(exactLoss, loss, 1e-5 * Math.Max(1, Math.Abs(exactLoss)));
            double scale = numeric.Max(Math.Abs);
            Assert.True(scale > 1e-3, "the check needs a gradient that is not all zeros");
            for (int k = 0; k < gradient.Length; k++)
            {
                double tolerance = 1e-4 * Math.Max(scale, 1e-2) + 1e-3 * Math.Abs(numeric[k]);
                Assert.True(Math.Abs(gradient[k] - numeric[k]) <= tolerance,
                    $"{name} trial {trial}: ∂L/∂θ[{k}] = {gradient[k]:R}, finite differences give {numeric[k]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_AddsIntoTheGradient(string name)
    {
        var net = Networks.CreateInitialized(name, seed: 3);
        var x = Networks.RandomInputs(net.InputSize, 4);
        var t = Networks.RandomTargets(net.Architecture, 1, 5);
        ulong state = net.DropoutState; // each call starts from the same dropout masks
        var once = new float[net.ParameterCount];
        net.Backward(x, t, once);
        var twice = new float[net.ParameterCount];
        Array.Fill(twice, 1f);
        net.DropoutState = state;
        net.Backward(x, t, twice);
        net.DropoutState = state;
        net.Backward(x, t, twice);
        Networks.AssertClose(once.Select(g => 1f + 2f * g).ToArray(), twice, 1e-6, "1 + 2·gradient");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TrainStep_IsOneSgdStepOnTheBackwardGradient(string name)
    {
        var net = Networks.CreateInitialized(name, seed: 8);
        var x = Networks.RandomInputs(net.InputSize, 9);
        var t = Networks.RandomTargets(net.Architecture, 1, 10);
        var gradient = new float[net.ParameterCount];
        ulong state = net.DropoutState;
        float expectedLoss = net.Backward(x, t, gradient);
        var before = net.Parameters.ToArray();

        net.DropoutState = state; // the same masks as Backward's
        float loss = net.TrainStep(x, t, 0.1f);

        Assert.Equal(expectedLoss, loss, 1e-6);
        var expected = before.Select((p, k) => p - 0.1f * gradient[k]).ToArray();
        Networks.AssertClose(expected, net.Parameters, 1e-6, "θ − η·∇L");
        // the loss the step descended: with a dropout, the training loss under the same masks
        net.DropoutState = state;
        float after = net.Architecture.HasDropout ? net.Backward(x, t, new float[net.ParameterCount]) : net.ComputeLoss(x, t);
        Assert.True(after < loss, "a small SGD step lowers the loss of its own sample");
    }
}
