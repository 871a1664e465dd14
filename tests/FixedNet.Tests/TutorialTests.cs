using System;
using FixedNet;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// shared/seeds/004: 2-2-2 network, sigmoid hidden layer, softmax output, cross-entropy, x = (0.5, 0.6), t = (1, 0),
/// η = 0.01. The tutorial rounds to three digits at every step; we check our float results against the exact values
/// (computed here in double precision, step by step as in the text) and against the tutorial's printed numbers to
/// the precision it prints them.
/// </summary>
public class TutorialTests
{
    private static readonly float[] X = [0.5f, 0.6f];
    private static readonly float[] T = [1f, 0f];
    private const float LearningRate = 0.01f;

    // w(1)_ji joins x_i to h_j: row-major [2 × 2], as torch.nn.Linear.
    private static readonly double[] W1 = [0.1, 0.2, 0.3, 0.4];
    private static readonly double[] B1 = [0.1, 0.2];
    private static readonly double[] W2 = [0.7, 0.8, 0.9, 1.0];
    private static readonly double[] B2 = [0.1, 0.2];

    private static TutorialNet CreateNet()
    {
        var net = new TutorialNet();
        double[] all = [.. W1, .. B1, .. W2, .. B2];
        for (int k = 0; k < all.Length; k++) net.Parameters[k] = (float)all[k];
        return net;
    }

    /// <summary>The tutorial's computation, exactly, in double precision.</summary>
    private sealed class Exact
    {
        public readonly double[] Z2 = new double[2], A2 = new double[2], Z3 = new double[2], A3 = new double[2];
        public readonly double Loss;
        public readonly double[] Delta3 = new double[2], Delta2 = new double[2];
        public readonly double[] GradW1 = new double[4], GradW2 = new double[4];

        public Exact()
        {
            double[] x = [0.5, 0.6], t = [1, 0];
            for (int j = 0; j < 2; j++)
            {
                Z2[j] = W1[j * 2] * x[0] + W1[j * 2 + 1] * x[1] + B1[j];
                A2[j] = 1 / (1 + Math.Exp(-Z2[j]));
            }
            for (int j = 0; j < 2; j++) Z3[j] = W2[j * 2] * A2[0] + W2[j * 2 + 1] * A2[1] + B2[j];
            double s = Math.Exp(Z3[0]) + Math.Exp(Z3[1]);
            for (int j = 0; j < 2; j++) A3[j] = Math.Exp(Z3[j]) / s;
            Loss = -(t[0] * Math.Log(A3[0]) + t[1] * Math.Log(A3[1]));
            for (int j = 0; j < 2; j++) Delta3[j] = A3[j] - t[j];                 // ∂L/∂z3 = a3 − t
            for (int j = 0; j < 2; j++)
            for (int i = 0; i < 2; i++) GradW2[j * 2 + i] = Delta3[j] * A2[i];  // ∂L/∂w2_ji = (a3_j − t_j)·a2_i
            for (int i = 0; i < 2; i++)
            {
                double dA2 = Delta3[0] * W2[i] + Delta3[1] * W2[2 + i];      // ∂L/∂a2_i
                Delta2[i] = dA2 * A2[i] * (1 - A2[i]);                        // · sigmoid′
            }
            for (int j = 0; j < 2; j++)
            for (int i = 0; i < 2; i++) GradW1[j * 2 + i] = Delta2[j] * x[i];
        }
    }

    [Fact]
    public void Forward_ProducesTheTutorialsOutputs()
    {
        var exact = new Exact();
        var net = CreateNet();
        Span<float> output = stackalloc float[2];
        net.Forward(X, output);

        Assert.Equal(exact.A3[0], output[0], 1e-6);
        Assert.Equal(exact.A3[1], output[1], 1e-6);
        // printed: a3_1 ≈ 0.415, a3_2 ≈ 0.585; z2 = 0.27, 0.59; a2 ≈ 0.567, 0.644 (checked through the gradient below)
        Assert.Equal(0.415, Math.Round(output[0], 3));
        Assert.Equal(0.585, Math.Round(output[1], 3));
        Assert.Equal(0.27, exact.Z2[0], 12);
        Assert.Equal(0.59, exact.Z2[1], 12);
    }

    [Fact]
    public void Loss_IsTheTutorials0_8788()
    {
        var exact = new Exact();
        var net = CreateNet();
        float loss = net.ComputeLoss(X, T);
        Assert.Equal(exact.Loss, loss, 1e-6);
        Assert.Equal(0.8788, Math.Round(loss, 4));
        Assert.Equal(0.88, Math.Round(loss, 2)); // as printed: L ≈ 0.88
    }

    [Fact]
    public void Backward_GivesEveryGradientOfTheTutorial()
    {
        var exact = new Exact();
        var net = CreateNet();
        var gradient = new float[TutorialNet.ParameterCount];
        float loss = net.Backward(X, T, gradient);
        Assert.Equal(exact.Loss, loss, 1e-6);

        // Layout: W1[0..3], b1[4..5], W2[6..9], b2[10..11].
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(exact.GradW1[k], gradient[k], 1e-6);
            Assert.Equal(exact.GradW2[k], gradient[6 + k], 1e-6);
        }
        for (int j = 0; j < 2; j++)
        {
            Assert.Equal(exact.Delta2[j], gradient[4 + j], 1e-6);
            Assert.Equal(exact.Delta3[j], gradient[10 + j], 1e-6);
        }

        // The tutorial's printed values (it rounds every intermediate to 3 digits, so agree to 1e-3).
        double[] printedW2 = [-0.332, -0.377, 0.332, 0.377];
        double[] printedW1 = [0.014, 0.017, 0.013, 0.016];
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(printedW2[k], gradient[6 + k], 1e-3);
            Assert.Equal(printedW1[k], gradient[k], 1e-3);
        }
        // ∂L/∂w2_ji = δ3_j·a2_i, so a2 = ∂L/∂w2_0i / ∂L/∂b2_0: the hidden activations 0.567 and 0.644.
        Assert.Equal(0.567, Math.Round(gradient[6] / gradient[10], 3));
        Assert.Equal(0.643, Math.Round(gradient[7] / gradient[10], 3)); // exact 0.64337 (the text rounds 0.6434 up to 0.644)
        Assert.Equal(exact.A2[1], gradient[7] / gradient[10], 1e-6);
        // Printed intermediates, computed by the text from 3-digit roundings: ∂L/∂a2_1 ≈ 0.116, sigmoid′(z2_1) ≈ 0.246,
        // sigmoid′(z2_2) ≈ 0.229; δ2 = ∂L/∂b1, so δ2_j / (∂L/∂a2_j) is the sigmoid′ our code used.
        double dA2First = exact.Delta3[0] * W2[0] + exact.Delta3[1] * W2[2];
        double dA2Second = exact.Delta3[0] * W2[1] + exact.Delta3[1] * W2[3];
        Assert.Equal(0.116, dA2First, 1e-3);
        Assert.Equal(0.246, gradient[4] / dA2First, 1e-3);
        Assert.Equal(0.229, gradient[5] / dA2Second, 1e-3);
    }

    [Fact]
    public void TrainStep_UpdatesEveryWeightAsTheTutorial()
    {
        var exact = new Exact();
        var net = CreateNet();
        float loss = net.TrainStep(X, T, LearningRate);
        Assert.Equal(exact.Loss, loss, 1e-6);

        var p = net.Parameters;
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(W1[k] - LearningRate * exact.GradW1[k], p[k], 1e-6);
            Assert.Equal(W2[k] - LearningRate * exact.GradW2[k], p[6 + k], 1e-6);
        }
        for (int j = 0; j < 2; j++)
        {
            Assert.Equal(B1[j] - LearningRate * exact.Delta2[j], p[4 + j], 1e-6);
            Assert.Equal(B2[j] - LearningRate * exact.Delta3[j], p[10 + j], 1e-6);
        }

        // Printed: w2 → 0.703, 0.804, 0.897, 0.996 and w1 → 0.09986, 0.19983, 0.29987, 0.39984.
        double[] printedW2 = [0.703, 0.804, 0.897, 0.996];
        double[] printedW1 = [0.09986, 0.19983, 0.29987, 0.39984];
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(printedW2[k], p[6 + k], 1e-3);
            Assert.Equal(printedW1[k], p[k], 1e-5);
        }
    }

    [Fact]
    public void TrainStep_LowersTheLoss()
    {
        var net = CreateNet();
        float before = net.TrainStep(X, T, 0.5f);
        float after = net.ComputeLoss(X, T);
        Assert.True(after < before, $"loss went from {before} to {after}");
    }
}
