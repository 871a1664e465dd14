using System;
using System.Linq;
using FixedNet.Training;
using Xunit;

namespace FixedNet.Tests;

public class OptimizerTests
{
    private static readonly float[] Gradients1 = [0.5f, -1.5f, 2f, 0f];
    private static readonly float[] Gradients2 = [-0.25f, 1f, 2f, 3f];

    [Fact]
    public void Sgd_SubtractsTheScaledGradient()
    {
        float[] p = [1f, 2f, 3f, 4f];
        var sgd = new Sgd();
        sgd.Initialize(4);
        sgd.Step(p, Gradients1, 0.1f);
        Assert.Equal([0.95f, 2.15f, 2.8f, 4f], p);
    }

    [Fact]
    public void Momentum_FollowsTorchSgdWithMomentum()
    {
        float[] p = [1f, 2f, 3f, 4f];
        var optimizer = new SgdMomentum(0.9f);
        optimizer.Initialize(4);
        optimizer.Step(p, Gradients1, 0.1f);
        optimizer.Step(p, Gradients2, 0.1f);
        for (int k = 0; k < 4; k++)
        {
            double v1 = Gradients1[k], v2 = 0.9 * v1 + Gradients2[k];        // v ← μv + g
            double expected = (1 + k) - 0.1 * v1 - 0.1 * v2;                  // θ ← θ − ηv
            Assert.Equal(expected, p[k], 1e-6);
        }
    }

    [Fact]
    public void Adam_FollowsTorchAdam()
    {
        float[] p = [1f, 2f, 3f, 4f];
        var adam = new Adam();
        adam.Initialize(4);
        adam.Step(p, Gradients1, 0.01f);
        adam.Step(p, Gradients2, 0.01f);
        Assert.Equal(2, adam.StepCount);
        for (int k = 0; k < 4; k++)
        {
            double theta = 1 + k, m = 0, v = 0;
            double[] gs = [Gradients1[k], Gradients2[k]];
            for (int t = 1; t <= 2; t++)
            {
                m = 0.9 * m + 0.1 * gs[t - 1];
                v = 0.999 * v + 0.001 * gs[t - 1] * gs[t - 1];
                double mHat = m / (1 - Math.Pow(0.9, t)), vHat = v / (1 - Math.Pow(0.999, t));
                theta -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
            Assert.Equal(theta, p[k], 1e-6);
        }
        // Adam's first step moves each parameter with a gradient by about η, whatever the gradient's size.
        float[] q = [0f, 0f];
        var fresh = new Adam();
        fresh.Initialize(2);
        fresh.Step(q, [1000f, -0.001f], 0.01f);
        Assert.Equal(-0.01f, q[0], 1e-6);
        Assert.Equal(0.01f, q[1], 1e-5);
    }

    // Two steps of each optimizer of torch.optim against its documented update, in double precision, from θ = (1, 2, 3, 4).
    private static float[] TwoSteps(IOptimizer optimizer, float rate)
    {
        float[] p = [1f, 2f, 3f, 4f];
        optimizer.Initialize(4);
        optimizer.Step(p, Gradients1, rate);
        optimizer.Step(p, Gradients2, rate);
        return p;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SgdMomentum_WithWeightDecay_AndNesterov_FollowsTorchSgd(bool nesterov)
    {
        var p = TwoSteps(new SgdMomentum(0.9f, nesterov, weightDecay: 0.05f), 0.1f);
        for (int k = 0; k < 4; k++)
        {
            double theta = 1 + k, v = 0;
            foreach (double raw in new double[] { Gradients1[k], Gradients2[k] })
            {
                double g = raw + 0.05 * theta;              // g ← g + λθ
                v = 0.9 * v + g;                            // b ← μb + g (b₁ = g)
                theta -= 0.1 * (nesterov ? g + 0.9 * v : v); // θ ← θ − η(g + μb) with Nesterov, θ − ηb without
            }
            Assert.Equal(theta, p[k], 1e-6);
        }
        Assert.Throws<ArgumentException>(() => new SgdMomentum(0f, nesterov: true));
    }

    [Fact]
    public void Sgd_WithWeightDecay_FollowsTorchSgd()
    {
        var p = TwoSteps(new Sgd(weightDecay: 0.1f), 0.1f);
        for (int k = 0; k < 4; k++)
        {
            double theta = 1 + k;
            foreach (double g in new double[] { Gradients1[k], Gradients2[k] }) theta -= 0.1 * (g + 0.1 * theta);
            Assert.Equal(theta, p[k], 1e-6);
        }
        Assert.Equal([0.95f, 2.15f, 2.8f, 4f], TwoStepsOne(new Sgd(weightDecay: 0f))); // no decay: the plain step, to the bit
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(weightDecay: -1f));
    }

    private static float[] TwoStepsOne(IOptimizer optimizer)
    {
        float[] p = [1f, 2f, 3f, 4f];
        optimizer.Initialize(4);
        optimizer.Step(p, Gradients1, 0.1f);
        return p;
    }

    [Fact]
    public void AdamW_DecaysDecoupled_FollowsTorchAdamW()
    {
        var optimizer = new AdamW(weightDecay: 0.1f);
        var p = TwoSteps(optimizer, 0.01f);
        Assert.Equal(2, optimizer.StepCount);
        for (int k = 0; k < 4; k++)
        {
            double theta = 1 + k, m = 0, v = 0;
            double[] gs = [Gradients1[k], Gradients2[k]];
            for (int t = 1; t <= 2; t++)
            {
                theta *= 1 - 0.01 * 0.1;                   // θ ← θ − ηλθ, before and apart from the moments
                m = 0.9 * m + 0.1 * gs[t - 1];
                v = 0.999 * v + 0.001 * gs[t - 1] * gs[t - 1];
                double mHat = m / (1 - Math.Pow(0.9, t)), vHat = v / (1 - Math.Pow(0.999, t));
                theta -= 0.01 * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
            Assert.Equal(theta, p[k], 1e-6);
        }
        // with λ = 0 it is Adam, to the bit
        Assert.Equal(TwoSteps(new Adam(), 0.01f), TwoSteps(new AdamW(weightDecay: 0f), 0.01f));
        Assert.Equal(0.01f, new AdamW().WeightDecay); // PyTorch's default
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(0.9f, 0.05f)]
    public void RmsProp_FollowsTorchRmsProp(float momentum, float weightDecay)
    {
        var p = TwoSteps(new RmsProp(momentum: momentum, weightDecay: weightDecay), 0.01f);
        for (int k = 0; k < 4; k++)
        {
            double theta = 1 + k, square = 0, buffer = 0;
            foreach (double raw in new double[] { Gradients1[k], Gradients2[k] })
            {
                double g = raw + weightDecay * theta;
                square = 0.99 * square + 0.01 * g * g;           // v ← αv + (1−α)g²
                double scaled = g / (Math.Sqrt(square) + 1e-8);
                if (momentum > 0) scaled = buffer = momentum * buffer + scaled;
                theta -= 0.01 * scaled;
            }
            Assert.Equal(theta, p[k], 1e-5);
        }
    }

    // The vector loops (8 parameters a step) against the scalar tail: 37 parameters at once, and each alone (all tail),
    // give the same bits.
    public static TheoryData<string> VectorCases => ["sgd-decay", "nesterov", "momentum-decay", "rmsprop", "rmsprop-momentum", "adamw"];

    private static IOptimizer CreateCase(string name) => name switch
    {
        "sgd-decay" => new Sgd(0.1f),
        "nesterov" => new SgdMomentum(0.9f, nesterov: true),
        "momentum-decay" => new SgdMomentum(0.8f, weightDecay: 0.05f),
        "rmsprop" => new RmsProp(weightDecay: 0.01f),
        "rmsprop-momentum" => new RmsProp(momentum: 0.9f),
        _ => new AdamW(0.1f),
    };

    [Theory]
    [MemberData(nameof(VectorCases))]
    public void VectorLoops_MatchTheScalarTail_ToTheBit(string name)
    {
        var random = new Random(3);
        float[] p = [.. Enumerable.Range(0, 37).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[][] g = [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 37).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())];
        float[] whole = [.. p];
        var optimizer = CreateCase(name);
        optimizer.Initialize(37);
        foreach (var step in g) optimizer.Step(whole, step, 0.05f);
        for (int k = 0; k < 37; k++)
        {
            float[] one = [p[k]];
            var single = CreateCase(name);
            single.Initialize(1);
            foreach (var step in g) single.Step(one, [step[k]], 0.05f);
            Assert.Equal(BitConverter.SingleToInt32Bits(one[0]), BitConverter.SingleToInt32Bits(whole[k]));
        }
    }

    [Fact]
    public void Replicas_TakeTheSameSteps_ToTheBit()
    {
        foreach (IOptimizer optimizer in new IOptimizer[] { new Sgd(0.1f), new SgdMomentum(0.9f, true, 0.1f), new Adam(), new AdamW(), new RmsProp(momentum: 0.5f, weightDecay: 0.1f) })
        {
            float[] p = [1f, 2f, 3f, 4f];
            optimizer.Initialize(4);
            optimizer.Step(p, Gradients1, 0.1f);
            var replica = ((Training.IRangeOptimizer)optimizer).Replicate();
            float[] q = [.. p];
            optimizer.Step(p, Gradients2, 0.1f);
            replica.BeginStep(0.1f);
            replica.StepRange(q, Gradients2, 0);
            Assert.Equal(p.Select(BitConverter.SingleToInt32Bits), q.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Steps_AllocateNothing()
    {
        var p = new float[1000];
        var g = new float[1000];
        Array.Fill(g, 0.1f);
        foreach (IOptimizer optimizer in new IOptimizer[] { new Sgd(), new Sgd(0.1f), new SgdMomentum(), new SgdMomentum(0.9f, true, 0.1f), new Adam(), new AdamW(), new RmsProp(), new RmsProp(momentum: 0.9f) })
        {
            optimizer.Initialize(1000);
            for (int i = 0; i < 10; i++) optimizer.Step(p, g, 0.01f);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) optimizer.Step(p, g, 0.01f);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void WrongGradientLength_ThrowsAndChangesNothing()
    {
        foreach (IOptimizer optimizer in new IOptimizer[] { new Sgd(), new SgdMomentum(), new Adam(), new AdamW(), new RmsProp() })
        {
            optimizer.Initialize(3);
            float[] p = [1f, 2f, 3f];
            var error = Assert.ThrowsAny<ArgumentException>(() => optimizer.Step(p, new float[2], 0.1f));
            Assert.Equal("gradient", error.ParamName);
            Assert.Equal([1f, 2f, 3f], p);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new SgdMomentum(1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: 1f));
    }

    [Fact]
    public void Schedules_GiveTheDocumentedRates()
    {
        var step = LearningRateSchedule.Step(0.1f, every: 2, gamma: 0.5f);
        Assert.Equal([0.1f, 0.1f, 0.05f, 0.05f, 0.025f], new[] { 0, 1, 2, 3, 4 }.Select(step.Rate));
        var cosine = LearningRateSchedule.Cosine(0.1f, epochs: 10, minimum: 0.02f);
        Assert.Equal(0.1f, cosine.Rate(0), 1e-7);
        Assert.Equal(0.06f, cosine.Rate(5), 1e-6);
        Assert.Equal(0.02f, cosine.Rate(10), 1e-7);
        LearningRateSchedule constant = 0.3f;
        Assert.Equal(0.3f, constant.Rate(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Constant(-1f));
    }
}
