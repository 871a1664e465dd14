using System;
using System.Linq;
using System.Threading.Tasks;
using FixedNet;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// A new network is ready to train (parameters drawn from <see cref="ParameterInitializer.DefaultSeed"/>, as
/// <c>torch.nn.Linear</c> initializes on construction), and <c>Clone()</c> gives an independent copy for another thread.
/// </summary>
public class ConstructionTests
{
    public static TheoryData<string> Names => Networks.All;

    [Theory]
    [MemberData(nameof(Names))]
    public void NewNetwork_HasTheDefaultSeedsParameters_NotZeros(string name)
    {
        var fresh = Networks.Create(name);
        var weights = fresh.Architecture.Layers.SelectMany(l => fresh.Parameters.Slice(l.WeightOffset, l.WeightCount).ToArray()).ToArray();
        Assert.True(weights.Count(w => w != 0f) > weights.Length * 0.9, "a new network's weights are mostly zero");
        Assert.Equal(fresh.Parameters.ToArray(), Networks.Create(name).Parameters.ToArray());
        var reinitialized = Networks.Create(name);
        reinitialized.InitializeParameters(ParameterInitializer.DefaultSeed + 1);
        Assert.NotEqual(fresh.Parameters.ToArray(), reinitialized.Parameters.ToArray());
        reinitialized.InitializeParameters(ParameterInitializer.DefaultSeed);
        Assert.Equal(fresh.Parameters.ToArray(), reinitialized.Parameters.ToArray());
        // the runtime-sized engine starts from the same values
        Assert.Equal(fresh.Parameters.ToArray(), new ReferenceNetwork(fresh.Architecture).Parameters.ToArray());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Clone_HasEqualParameters_AndSharesNothing(string name)
    {
        var original = Networks.Create(name);
        original.InitializeParameters(7);
        var clone = original.Clone();
        Assert.Equal(original.GetType(), clone.GetType());
        Assert.Equal(original.Parameters.ToArray(), clone.Parameters.ToArray());
        float[] inputs = Networks.RandomInputs(3 * original.InputSize, 4), targets = Networks.RandomTargets(original.Architecture, 3, 5);
        var expected = new float[original.OutputSize];
        var actual = new float[original.OutputSize];
        original.Forward(inputs.AsSpan(0, original.InputSize), expected);
        clone.Forward(inputs.AsSpan(0, original.InputSize), actual);
        Assert.Equal(expected, actual);

        // training the clone leaves the original's parameters and outputs as they were, and the other way round
        var before = original.Parameters.ToArray();
        clone.TrainBatch(inputs, targets, 3, 0.1f);
        Assert.Equal(before, original.Parameters.ToArray());
        Assert.NotEqual(before, clone.Parameters.ToArray());
        original.Parameters.Clear();
        Assert.Contains(clone.Parameters.ToArray(), p => p != 0f);
    }

    // One instance per thread, through Clone(): every thread computes exactly what one network computes alone.
    [Fact]
    public void Clones_OnParallelThreads_GiveTheSequentialResults()
    {
        INetwork original = new WideSoftmaxNet();
        float[] inputs = Networks.RandomInputs(64 * original.InputSize, 9);
        var expected = new float[64 * original.OutputSize];
        for (int s = 0; s < 64; s++) original.Forward(inputs.AsSpan(s * original.InputSize, original.InputSize), expected.AsSpan(s * original.OutputSize, original.OutputSize));
        var results = new float[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            var mine = original.Clone();
            var outputs = new float[expected.Length];
            for (int round = 0; round < 200; round++)
                for (int s = 0; s < 64; s++) mine.Forward(inputs.AsSpan(s * mine.InputSize, mine.InputSize), outputs.AsSpan(s * mine.OutputSize, mine.OutputSize));
            results[t] = outputs;
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void ReferenceNetwork_Clone_KeepsItsKernel_AndIsIndependent()
    {
        var original = new ReferenceNetwork(WideMseNet.Architecture, ReferenceKernel.TensorPrimitives);
        var clone = original.Clone();
        Assert.Equal(original.Parameters.ToArray(), clone.Parameters.ToArray());
        clone.Parameters[0] += 1f;
        Assert.NotEqual(original.Parameters[0], clone.Parameters[0]);
    }

    private sealed class Minimal : INetwork
    {
        public NetworkArchitecture Architecture { get; } = new(1, [(1, Activation.Identity)]);
        public int InputSize => 1;
        public int OutputSize => 1;
        public int ParameterCount => 2;
        public Span<float> Parameters => Span<float>.Empty;
        public void Forward(ReadOnlySpan<float> input, Span<float> output) { }
        public float ComputeLoss(ReadOnlySpan<float> input, ReadOnlySpan<float> target) => 0f;
        public float Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> target, Span<float> gradient) => 0f;
        public float TrainStep(ReadOnlySpan<float> input, ReadOnlySpan<float> target, float learningRate) => 0f;
        public float BackwardBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, Span<float> gradient) => 0f;
        public float TrainBatch(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, int batchSize, float learningRate) => 0f;
        public void InitializeParameters(int seed) { }
    }

    [Fact]
    public void ThirdPartyNetwork_WithoutClone_SaysSo()
    {
        INetwork network = new Minimal();
        var error = Assert.Throws<NotSupportedException>(() => network.Clone());
        Assert.Contains("Minimal", error.Message);
    }
}
