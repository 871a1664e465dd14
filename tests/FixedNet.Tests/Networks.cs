using System;
using System.Collections.Generic;
using System.Linq;
using FixedNet;
using Xunit;

namespace FixedNet.Tests;

/// <summary>The generated test networks by name, and random samples that suit each loss.</summary>
internal static class Networks
{
    public static readonly string[] Small = ["TutorialNet", "TanhMseNet", "SigmoidHalfNet", "ReluBceNet", "LeakySoftmaxMseNet", "XorNet", "NestedNet", "SmoothMseNet", "EluSoftmaxNet", "SoftplusEluNet", "L1Net", "SmallDropoutNet"];
    public static readonly string[] Wide = ["WideSoftmaxNet", "WideBceNet", "WideMseNet", "WideSoftmaxHalfNet", "MnistNet", "PanelNet", "WideGeluSiluNet", "WideEluSoftplusNet", "WideHuberNet", "WideDropoutNet"];

    public static TheoryData<string> All => [.. Small.Concat(Wide)];

    public static TheoryData<string> AllButLarge => [.. Small.Concat(Wide).Where(n => n is not ("MnistNet" or "PanelNet"))];

    public static INetwork Create(string name) => name switch
    {
        "TutorialNet" => new TutorialNet(),
        "TanhMseNet" => new TanhMseNet(),
        "SigmoidHalfNet" => new SigmoidHalfNet(),
        "ReluBceNet" => new ReluBceNet(),
        "LeakySoftmaxMseNet" => new LeakySoftmaxMseNet(),
        "XorNet" => new XorNet(),
        "NestedNet" => new Holder.NestedNet(),
        "SmoothMseNet" => new SmoothMseNet(),
        "EluSoftmaxNet" => new EluSoftmaxNet(),
        "SoftplusEluNet" => new SoftplusEluNet(),
        "L1Net" => new L1Net(),
        "WideHuberNet" => new WideHuberNet(),
        "WideDropoutNet" => new WideDropoutNet(),
        "SmallDropoutNet" => new SmallDropoutNet(),
        "WideGeluSiluNet" => new WideGeluSiluNet(),
        "WideEluSoftplusNet" => new WideEluSoftplusNet(),
        "WideSoftmaxNet" => new WideSoftmaxNet(),
        "WideBceNet" => new WideBceNet(),
        "WideMseNet" => new WideMseNet(),
        "WideSoftmaxHalfNet" => new WideSoftmaxHalfNet(),
        "MnistNet" => new MnistNet(),
        "PanelNet" => new PanelNet(),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    /// <summary>A network initialized from <paramref name="seed"/> with biases made non-zero, so every parameter matters.</summary>
    public static INetwork CreateInitialized(string name, int seed)
    {
        var net = Create(name);
        net.InitializeParameters(seed);
        var random = new Random(seed);
        foreach (var layer in net.Architecture.Layers)
        {
            for (int j = 0; j < layer.Size; j++) net.Parameters[layer.BiasOffset + j] = (float)(random.NextDouble() - 0.5) * 0.2f;
        }
        return net;
    }

    public static float[] RandomInputs(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary><paramref name="samples"/> targets suited to the loss: one-hot for CrossEntropy, in [0, 1] for BCE, any real otherwise.</summary>
    public static float[] RandomTargets(NetworkArchitecture architecture, int samples, int seed)
    {
        var random = new Random(seed);
        int n = architecture.OutputSize;
        var t = new float[n * samples];
        for (int s = 0; s < samples; s++)
        {
            var row = t.AsSpan(s * n, n);
            switch (architecture.Loss)
            {
                case Loss.CrossEntropy:
                    row[random.Next(n)] = 1f;
                    break;
                case Loss.BinaryCrossEntropy:
                    for (int k = 0; k < n; k++) row[k] = (float)random.NextDouble();
                    break;
                default:
                    for (int k = 0; k < n; k++) row[k] = (float)(random.NextDouble() * 2 - 1);
                    break;
            }
        }
        return t;
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            double tolerance = relative * Math.Max(1.0, Math.Abs(expected[k]));
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance,
                $"{what}[{k}]: expected {expected[k]:R}, got {actual[k]:R} (tolerance {tolerance:G3})");
        }
    }
}
