using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using FixedNet.Interop;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace FixedNet.Tests;

// The shape of the PyTorch fixture (tests/FixedNet.Tests/Fixtures/torch_mlp_4_8_5_3.onnx).
[Network(4, Loss = Loss.CrossEntropy)]
[Dense(8, Activation.ReLU)]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
public partial class TorchMlp;

// The shape of the PyTorch fixture with the activations opset 13 has no single operator for (Fixtures/torch_mlp_activations.onnx).
[Network(4)]
[Dense(6, Activation.GELU)]
[Dense(5, Activation.SiLU)]
[Dense(4, Activation.ELU)]
[Dense(3, Activation.Softplus)]
public partial class TorchActivationsMlp;

public class OnnxTests
{
    public static TheoryData<string> Exported => ["TutorialNet", "TanhMseNet", "ReluBceNet", "LeakySoftmaxMseNet", "WideSoftmaxNet", "WideBceNet", "MnistNet",
        "SmoothMseNet", "EluSoftmaxNet", "SoftplusEluNet", "WideGeluSiluNet", "WideEluSoftplusNet", "WideDropoutNet"]; // the dropout is left out: the graph is for inference

    [Theory]
    [MemberData(nameof(Exported))]
    public void Export_RunsInOnnxRuntime_AndMatchesForward(string name)
    {
        const int batch = 6;
        var net = Networks.CreateInitialized(name, 11);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(Onnx.Export(net), options);

        var input = session.InputMetadata["input"];
        Assert.Equal([-1, net.InputSize], input.Dimensions);
        Assert.Equal([-1, net.OutputSize], session.OutputMetadata["output"].Dimensions);

        var x = Networks.RandomInputs(batch * net.InputSize, 12);
        using var value = OrtValue.CreateTensorValueFromMemory(x, [batch, net.InputSize]);
        using var results = session.Run(new RunOptions(), ["input"], [value], ["output"]);
        var onnx = results[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(batch * net.OutputSize, onnx.Length);

        var ours = new float[net.OutputSize];
        for (int s = 0; s < batch; s++)
        {
            net.Forward(x.AsSpan(s * net.InputSize, net.InputSize), ours);
            Networks.AssertClose(ours, onnx.AsSpan(s * net.OutputSize, net.OutputSize), 1e-5, $"{name} sample {s}");
        }
    }

    [Theory]
    [InlineData("WideSoftmaxNet")]
    [InlineData("SmoothMseNet")]
    [InlineData("WideGeluSiluNet")]
    [InlineData("WideEluSoftplusNet")]
    public void ExportThenImport_RestoresTheParameters(string name)
    {
        var net = Networks.CreateInitialized(name, 5);
        var copy = Networks.Create(name);
        Onnx.ImportParameters(copy, Onnx.Export(net));
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());
    }

    [Fact]
    public void Import_RecognizesEachActivation_AndRejectsAnotherInItsPlace()
    {
        // GELU is written as five nodes and SiLU as two: a network that expects another activation there is told which.
        var model = Onnx.Export(Networks.CreateInitialized("SmoothMseNet", 3));
        var gelu = new ReferenceNetwork(3, [(4, Activation.ReLU), (3, Activation.SiLU), (2, Activation.Softplus)]);
        AssertRejected(gelu, model, "dense layer 0 ('layers.0.weight') is followed by Div, Erf, Add, Mul, Mul (GELU) in the model, but the network's layer 0 uses ReLU");
        var silu = new ReferenceNetwork(3, [(4, Activation.GELU), (3, Activation.Sigmoid), (2, Activation.Softplus)]);
        AssertRejected(silu, model, "dense layer 1 ('layers.1.weight') is followed by Sigmoid, Mul (SiLU) in the model, but the network's layer 1 uses Sigmoid");
        var softplus = new ReferenceNetwork(3, [(4, Activation.GELU), (3, Activation.SiLU), (2, Activation.ELU)]);
        AssertRejected(softplus, model, "is followed by Softplus in the model, but the network's layer 2 uses ELU");
    }

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    [Fact]
    public void Import_LoadsAModelExportedByPyTorch()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("torch_mlp_4_8_5_3.json")));
        var expected = json.RootElement.GetProperty("parameters").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var net = new TorchMlp();
        Onnx.LoadParameters(net, Fixture("torch_mlp_4_8_5_3.onnx"));
        Assert.Equal(expected, net.Parameters.ToArray());

        var inputs = json.RootElement.GetProperty("inputs").EnumerateArray().ToArray();
        var outputs = json.RootElement.GetProperty("outputs").EnumerateArray().ToArray();
        var ours = new float[3];
        for (int s = 0; s < inputs.Length; s++)
        {
            net.Forward(inputs[s].EnumerateArray().Select(e => e.GetSingle()).ToArray(), ours);
            Networks.AssertClose(outputs[s].EnumerateArray().Select(e => e.GetSingle()).ToArray(), ours, 1e-5, $"PyTorch's output for sample {s}");
        }
    }

    [Fact]
    public void Import_LoadsGeluSiluEluSoftplus_AsPyTorchExportsThem()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("torch_mlp_activations.json")));
        var expected = json.RootElement.GetProperty("parameters").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var net = new TorchActivationsMlp();
        Onnx.LoadParameters(net, Fixture("torch_mlp_activations.onnx"));
        Assert.Equal(expected, net.Parameters.ToArray());

        var inputs = json.RootElement.GetProperty("inputs").EnumerateArray().ToArray();
        var outputs = json.RootElement.GetProperty("outputs").EnumerateArray().ToArray();
        var ours = new float[TorchActivationsMlp.OutputSize];
        for (int s = 0; s < inputs.Length; s++)
        {
            net.Forward(inputs[s].EnumerateArray().Select(e => e.GetSingle()).ToArray(), ours);
            Networks.AssertClose(outputs[s].EnumerateArray().Select(e => e.GetSingle()).ToArray(), ours, 1e-5, $"PyTorch's output for sample {s}");
        }
    }

    private static void AssertRejected(INetwork net, byte[] model, string expected)
    {
        var before = net.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => Onnx.ImportParameters(net, model, "mlp.onnx"));
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("mlp.onnx: ", error.Message);
        Assert.Equal(before, net.Parameters.ToArray());
    }

    [Fact]
    public void Import_NamesTheMismatchingInitializer_AndLeavesTheNetworkUnchanged()
    {
        var model = File.ReadAllBytes(Fixture("torch_mlp_4_8_5_3.onnx"));
        // Same depth, other sizes: the first weight is [8, 4]; WideSoftmaxNet's layer 0 is [19, 37].
        var wide = Networks.CreateInitialized("WideSoftmaxNet", 2);
        var before = wide.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => Onnx.ImportParameters(wide, model, "mlp.onnx"));
        Assert.Matches("initializer '[^']+' \\(weight of dense layer 0\\) has shape \\[8, 4\\]; the network's layer 0 needs \\[19, 37\\]", error.Message);
        Assert.Equal(before, wide.Parameters.ToArray());

        AssertRejected(Networks.CreateInitialized("TanhMseNet", 2), model, "the model has 3 dense layers (Gemm or MatMul); the network has 2");
        var otherActivation = new ReferenceNetwork(4, [(8, Activation.Sigmoid), (5, Activation.Tanh), (3, Activation.Softmax)], Loss.CrossEntropy);
        AssertRejected(otherActivation, model, "dense layer 0");
        AssertRejected(otherActivation, model, "is followed by Relu in the model, but the network's layer 0 uses Sigmoid");
        AssertRejected(new TorchMlp(), [0x0a, 0xff, 0xff], "not a valid ONNX protobuf");
    }

    [Fact]
    public void Import_RejectsASoftmaxOverAnotherAxis()
    {
        var net = Networks.CreateInitialized("TutorialNet", 3);
        var model = Onnx.Export(net);
        // The exporter writes the Softmax attribute axis = 1: name "axis", then field 3 (varint) = 1. Make it axis 0.
        byte[] pattern = [.. System.Text.Encoding.ASCII.GetBytes("axis"), 0x18, 0x01];
        int at = model.AsSpan().IndexOf(pattern);
        Assert.True(at > 0);
        model[at + 5] = 0x00;
        AssertRejected(Networks.CreateInitialized("TutorialNet", 4), model, "normalizes over axis 0");
    }

    // Damage inside an initializer's or a node's own fields names the field: packed dims whose last varint is cut
    // (TensorProto.dims), a node whose op_type is a number where a string belongs (NodeProto.op_type).
    [Theory]
    [InlineData("dims", "GraphProto.initializer 0, TensorProto.dims (field 1)")]
    [InlineData("op_type", "GraphProto.node 0, NodeProto.op_type (field 4)")]
    public void DamageInsideAField_NamesTheField(string damaged, string expected)
    {
        var tensor = new FixedNet.Interop.ProtoWriter().String(8, "w");
        tensor = damaged == "dims" ? tensor.Bytes(1, [0x02, 0x80]) : tensor.Int64(1, 2).Int64(1, 2);
        tensor.Int32(2, 1).Bytes(9, new byte[16]);
        var node = new FixedNet.Interop.ProtoWriter().String(1, "x").String(1, "w").String(2, "y");
        node = damaged == "op_type" ? node.Int64(4, 7) : node.String(4, "MatMul");
        var graph = new FixedNet.Interop.ProtoWriter().Message(1, node).Message(5, tensor);
        byte[] model = new FixedNet.Interop.ProtoWriter().Int64(1, 8).Message(7, graph).ToArray();
        var target = Networks.CreateInitialized("TutorialNet", 3);
        var before = target.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => Onnx.ImportParameters(target, model, "damaged.onnx"));
        Assert.StartsWith("damaged.onnx: " + expected, error.Message);
        Assert.Equal(before, target.Parameters.ToArray());
    }

    // Seeded and bounded: every prefix of an exported model and a few thousand byte changes either load (a change that
    // keeps the model valid) or fail with an InvalidDataException naming the file, the network untouched either way.
    [Fact]
    public void Fuzz_MalformedModels_AreInvalidDataExceptions_AndLeaveTheNetworkUnchanged()
    {
        var model = Onnx.Export(Networks.CreateInitialized("WideGeluSiluNet", 5));
        var target = Networks.CreateInitialized("WideGeluSiluNet", 6);
        var random = new Random(20261202);
        int rejected = 0, namingAField = 0, unnamed = 0;
        var unnamedExamples = new System.Collections.Generic.List<string>();
        for (int trial = 0; trial < model.Length + 3000; trial++)
        {
            byte[] bytes;
            if (trial < model.Length) bytes = model[..trial];
            else
            {
                bytes = (byte[])model.Clone();
                for (int k = random.Next(1, 4); k > 0; k--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            var before = target.Parameters.ToArray();
            try
            {
                Onnx.ImportParameters(target, bytes, "fuzz.onnx");
                target.Parameters.Clear(); // loaded: reset to a known state for the next trial
                before.CopyTo(target.Parameters);
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("fuzz.onnx: ", e.Message);
                Assert.Equal(before, target.Parameters.ToArray());
                rejected++;
                if (System.Text.RegularExpressions.Regex.IsMatch(e.Message, @"GraphProto\.(node|initializer) \d+")) namingAField++;
                if (e.Message.Contains("not a valid ONNX model (", StringComparison.Ordinal)) { unnamed++; if (unnamedExamples.Count < 5) unnamedExamples.Add(e.Message); }
            }
        }
        Assert.True(rejected >= model.Length, $"{rejected} rejected"); // every proper prefix at least
        Assert.True(namingAField > 100, $"{namingAField} errors named the node or initializer"); // damage inside a node or initializer says which
        Assert.True(unnamed == 0, $"{unnamed} errors fell through to the generic safety net, e.g.\n{string.Join("\n", unnamedExamples)}");
    }
}
