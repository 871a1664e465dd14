using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using FixedNet.Serialization;
using Xunit;

namespace FixedNet.Tests;

// Weights baked in at compile time from the files this project lists as <FixedNetWeights> (see the csproj): the
// generator reads them through buildTransitive/FixedNet.targets, as a package consumer's build does.

/// <summary>torch_linear_2_3_2.safetensors: Sequential(Linear(2,3), Tanh, Linear(3,2)) saved under FixedNet's names by make_fixtures.py.</summary>
[Network(2, Weights = "Fixtures/torch_linear_2_3_2.safetensors")]
[Dense(3, Activation.Tanh)]
[Dense(2)]
public partial class BakedLinear232;

/// <summary>sequential_mlp_4_8_5_3.safetensors: PyTorch's parameters under a torch.nn.Sequential state_dict's names (make_baked_fixtures.py).</summary>
[Network(4, Loss = Loss.CrossEntropy, Weights = "./Fixtures/sequential_mlp_4_8_5_3.safetensors")]
[Dense(8, Activation.ReLU)]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class BakedSequentialMlp;

/// <summary>The same file as <see cref="BakedSequentialMlp"/>, frozen: static, inference only.</summary>
[Network(4, Weights = "Fixtures/sequential_mlp_4_8_5_3.safetensors", Frozen = true)]
[Dense(8, Activation.ReLU)]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class FrozenSequentialMlp;

/// <summary>One hidden layer (one scratch buffer), identity output.</summary>
[Network(2, Weights = "Fixtures/torch_linear_2_3_2.safetensors", Frozen = true)]
[Dense(3, Activation.Tanh)]
[Dense(2)]
public static partial class FrozenLinear232;

/// <summary>torch_mlp_4_8_5_3.onnx, exported by torch.onnx (Gemm with transB = 1, Relu, Tanh, Softmax): baked from ONNX.</summary>
[Network(4, Weights = "Fixtures/torch_mlp_4_8_5_3.onnx", Frozen = true)]
[Dense(8, Activation.ReLU)]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public static partial class FrozenOnnxMlp;

/// <summary>torch_mlp_activations.onnx: GELU as Div-Erf-Add-Mul-Mul and SiLU as Sigmoid-Mul (opset 13), then ELU and Softplus.</summary>
[Network(4, Weights = "Fixtures/torch_mlp_activations.onnx")]
[Dense(6, Activation.GELU)]
[Dense(5, Activation.SiLU)]
[Dense(4, Activation.ELU)]
[Dense(3, Activation.Softplus)]
public partial class BakedOnnxActivations;

public class BakedWeightsTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static float[] JsonFloats(JsonElement element) => [.. element.EnumerateArray().Select(e => e.GetSingle())];

    [Fact]
    public void BakedParameters_AreTheFilesBits_AndANewNetworkStartsFromThem()
    {
        // the file read at run time by the runtime's own reader, into a network of the same architecture
        var loaded = new ReferenceNetwork(BakedLinear232.Architecture);
        Safetensors.Load(loaded, Fixture("torch_linear_2_3_2.safetensors"));
        Assert.Equal(Bits(loaded.Parameters.ToArray()), Bits(BakedLinear232.BakedParameters.ToArray()));
        Assert.Equal(Bits(loaded.Parameters.ToArray()), Bits(new BakedLinear232().Parameters.ToArray()));
    }

    [Fact]
    public void SequentialStateDict_IsTakenInTheOrderOfItsIndices_AndGivesPyTorchsOutputs()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("torch_mlp_4_8_5_3.json")));
        float[] parameters = JsonFloats(json.RootElement.GetProperty("parameters"));
        Assert.Equal(Bits(parameters), Bits(BakedSequentialMlp.BakedParameters.ToArray()));

        var net = new BakedSequentialMlp();
        var output = new float[3];
        var inputs = json.RootElement.GetProperty("inputs").EnumerateArray().Select(JsonFloats).ToArray();
        var outputs = json.RootElement.GetProperty("outputs").EnumerateArray().Select(JsonFloats).ToArray();
        for (int s = 0; s < inputs.Length; s++)
        {
            net.Forward(inputs[s], output);
            for (int k = 0; k < 3; k++) Assert.True(Math.Abs(outputs[s][k] - output[k]) <= 1e-6f, $"sample {s}, output {k}: {output[k]} vs PyTorch's {outputs[s][k]}");
        }
    }

    [Fact]
    public void Outputs_EqualTheSameNetworkLoadedAtRunTime()
    {
        var baked = new BakedLinear232();
        var loaded = new ReferenceNetwork(BakedLinear232.Architecture);
        Safetensors.Load(loaded, Fixture("torch_linear_2_3_2.safetensors"));
        var random = new Random(5);
        float[] x = new float[2], a = new float[2], b = new float[2];
        for (int s = 0; s < 100; s++)
        {
            x[0] = (float)(random.NextDouble() * 6 - 3);
            x[1] = (float)(random.NextDouble() * 6 - 3);
            baked.Forward(x, a);
            loaded.Forward(x, b);
            for (int k = 0; k < 2; k++) Assert.True(Math.Abs(a[k] - b[k]) <= 1e-6f, $"{a[k]} vs {b[k]}");
        }
        // and PyTorch's own output for (0.5, −1)
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("torch_linear_2_3_2.json")));
        float[] expected = JsonFloats(json.RootElement.GetProperty("output_for_0.5_-1"));
        baked.Forward([0.5f, -1f], a);
        for (int k = 0; k < 2; k++) Assert.True(Math.Abs(expected[k] - a[k]) <= 1e-6f, $"{a[k]} vs PyTorch's {expected[k]}");
    }

    [Fact]
    public void Training_FineTunesACopy_AndResetParametersGoesBack()
    {
        var net = new BakedLinear232();
        float[] before = net.Parameters.ToArray();
        for (int i = 0; i < 20; i++) net.TrainStep([0.5f, -1f], [1f, 0f], 0.1f);
        Assert.NotEqual(Bits(before), Bits(net.Parameters.ToArray()));
        Assert.Equal(Bits(before), Bits(BakedLinear232.BakedParameters.ToArray())); // the baked data itself never changes
        Assert.Equal(Bits(before), Bits(new BakedLinear232().Parameters.ToArray()));

        net.ResetParameters();
        Assert.Equal(Bits(before), Bits(net.Parameters.ToArray()));
        net.InitializeParameters(3); // still a trainable network: re-initializing draws new values
        Assert.NotEqual(Bits(before), Bits(net.Parameters.ToArray()));
        Assert.Equal(Bits(net.Parameters.ToArray()), Bits(net.Clone().Parameters.ToArray())); // a clone copies the current values, not the baked ones
    }

    [Theory]
    [InlineData("torch_mlp_4_8_5_3")]
    [InlineData("torch_mlp_activations")]
    public void OnnxModels_AreBakedWithPyTorchsParameters_AndGiveItsOutputs(string fixture)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture(fixture + ".json")));
        float[] parameters = JsonFloats(json.RootElement.GetProperty("parameters"));
        bool first = fixture == "torch_mlp_4_8_5_3";
        Assert.Equal(Bits(parameters), Bits(first ? FrozenOnnxMlp.BakedParameters.ToArray() : BakedOnnxActivations.BakedParameters.ToArray()));
        // and the same values as the runtime's ONNX reader finds in the file
        var loaded = new ReferenceNetwork(first ? FrozenOnnxMlp.Architecture : BakedOnnxActivations.Architecture);
        FixedNet.Interop.Onnx.LoadParameters(loaded, Fixture(fixture + ".onnx"));
        Assert.Equal(Bits(parameters), Bits(loaded.Parameters.ToArray()));

        var inputs = json.RootElement.GetProperty("inputs").EnumerateArray().Select(JsonFloats).ToArray();
        var outputs = json.RootElement.GetProperty("outputs").EnumerateArray().Select(JsonFloats).ToArray();
        var net = new BakedOnnxActivations();
        var output = new float[3];
        for (int s = 0; s < inputs.Length; s++)
        {
            if (first) FrozenOnnxMlp.Forward(inputs[s], output);
            else net.Forward(inputs[s], output);
            for (int k = 0; k < 3; k++) Assert.True(Math.Abs(outputs[s][k] - output[k]) <= 1e-5f, $"{fixture}, sample {s}, output {k}: {output[k]} vs PyTorch's {outputs[s][k]}");
        }
    }

    [Fact]
    public void Frozen_IsStatic_AndGivesTheTrainableNetworksOutputs()
    {
        Assert.False(typeof(INetwork).IsAssignableFrom(typeof(FrozenSequentialMlp)));
        Assert.Null(typeof(FrozenSequentialMlp).GetMethod("TrainStep"));
        Assert.True(typeof(FrozenSequentialMlp).GetMethod("Forward")!.IsStatic);
        Assert.Equal(Bits(BakedSequentialMlp.BakedParameters.ToArray()), Bits(FrozenSequentialMlp.BakedParameters.ToArray()));

        var trainable = new BakedSequentialMlp();
        var trainable232 = new BakedLinear232();
        var random = new Random(11);
        float[] x = new float[4], a = new float[3], b = new float[3], x2 = new float[2], a2 = new float[2], b2 = new float[2];
        for (int s = 0; s < 200; s++)
        {
            for (int i = 0; i < 4; i++) x[i] = (float)(random.NextDouble() * 8 - 4);
            trainable.Forward(x, a);
            FrozenSequentialMlp.Forward(x, b);
            for (int k = 0; k < 3; k++) Assert.True(Math.Abs(a[k] - b[k]) <= 1e-6f, $"{a[k]} vs {b[k]}");
            x.AsSpan(0, 2).CopyTo(x2);
            trainable232.Forward(x2, a2);
            FrozenLinear232.Forward(x2, b2);
            for (int k = 0; k < 2; k++) Assert.True(Math.Abs(a2[k] - b2[k]) <= 1e-6f, $"{a2[k]} vs {b2[k]}");
        }
        Assert.Throws<ArgumentException>("input", () => FrozenSequentialMlp.Forward(new float[3], new float[3]));
        Assert.Throws<ArgumentException>("output", () => FrozenSequentialMlp.Forward(new float[4], new float[4]));
    }

    [Fact]
    public void FrozenForwardBatch_EqualsForwardPerSample_AndThreadsShareTheNetwork()
    {
        const int Batch = 37;
        var random = new Random(12);
        float[] inputs = [.. Enumerable.Range(0, Batch * 4).Select(_ => (float)(random.NextDouble() * 4 - 2))];
        var outputs = new float[Batch * 3];
        FrozenSequentialMlp.ForwardBatch(inputs, outputs, Batch);
        var one = new float[3];
        for (int s = 0; s < Batch; s++)
        {
            FrozenSequentialMlp.Forward(inputs.AsSpan(s * 4, 4), one);
            Assert.Equal(Bits(one), Bits(outputs[(s * 3)..(s * 3 + 3)]));
        }
        Assert.Throws<ArgumentException>("inputs", () => FrozenSequentialMlp.ForwardBatch(inputs, outputs, Batch + 1));

        // four threads on the one static network at once give the sequential results
        var results = new float[4][];
        System.Threading.Tasks.Parallel.For(0, 4, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            var mine = new float[Batch * 3];
            for (int round = 0; round < 2000; round++) FrozenSequentialMlp.ForwardBatch(inputs, mine, Batch);
            results[t] = mine;
        });
        Assert.All(results, r => Assert.Equal(Bits(outputs), Bits(r)));
    }

    [Fact]
    public void FrozenForward_AllocatesNothing()
    {
        float[] x = [0.1f, 0.2f, 0.3f, 0.4f], y = new float[3];
        FrozenSequentialMlp.Forward(x, y);
        FrozenSequentialMlp.ForwardBatch(x, y, 1); // the first ForwardBatch of the process sets up ParallelForward's statics
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) FrozenSequentialMlp.Forward(x, y);
        FrozenSequentialMlp.ForwardBatch(x, y, 1);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
