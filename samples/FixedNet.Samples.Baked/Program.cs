// Weights baked in at compile time. models/digits.safetensors is the 64-64-10 digits network that the main sample
// (samples/FixedNet.Samples) trained and saved with Safetensors.Save; this project lists it as <FixedNetWeights> and
// names it in [Network(…, Weights = …)], so the compiler checked every tensor's name, shape and type against the
// declaration and compiled the values into the program. Frozen = true makes it an inference-only static class:
// nothing to construct, nothing to load, safe on any number of threads.
//
//   dotnet run --project samples/FixedNet.Samples.Baked -c Release
//
// How the file was made: dotnet run --project samples/FixedNet.Samples -c Release -- --quiet (digits, 40 epochs, seed 1),
// then a copy of its samples/FixedNet.Samples/bin/Release/net10.0/DigitsNet.safetensors.
using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using FixedNet;
using FixedNet.Data;
using FixedNet.Serialization;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        FixedNet.Samples.Baked: the digits network of the main sample, baked into this program at compile time.
          (no option)   classify the digits test set with the baked, frozen network, and check it against the same
                        file loaded at run time; then run a PyTorch model baked from its ONNX export
        Exit code 0 when the test accuracy reaches 90 % and both give the same outputs.
        """);
    return 0;
}

// The main sample's test set: the same file, split with the same seed.
var all = CsvReader.ReadClassification(Path.Combine(AppContext.BaseDirectory, "digits.csv.gz"), classes: 10, scale: 1f / 16);
var (_, test) = all.Split(0.8, seed: 1);
Console.WriteLine($"{DigitsModel.Architecture}, {DigitsModel.ParameterCount:N0} parameters baked in from models/digits.safetensors");

var outputs = new float[test.Count * DigitsModel.OutputSize];
DigitsModel.ForwardBatch(test.Inputs, outputs, test.Count);   // static: no instance (its speed: benchmarks/, FrozenInference)
int correct = 0;
for (int s = 0; s < test.Count; s++)
{
    if (OneHot.ArgMax(outputs.AsSpan(s * 10, 10)) == OneHot.ArgMax(test.Target(s))) correct++;
}
double accuracy = (double)correct / test.Count;
Console.WriteLine($"test accuracy {accuracy:P2} ({correct} of {test.Count})");

// The same file loaded at run time into a trainable network of the same shape gives the same outputs.
var loaded = new ReferenceNetwork(DigitsModel.Architecture);
Safetensors.Load(loaded, Path.Combine(AppContext.BaseDirectory, "models", "digits.safetensors"));
var output = new float[10];
double worst = 0;
for (int s = 0; s < test.Count; s++)
{
    loaded.Forward(test.Input(s), output);
    for (int k = 0; k < 10; k++) worst = Math.Max(worst, Math.Abs(output[k] - outputs[s * 10 + k]));
}
Console.WriteLine($"largest difference from the file loaded at run time: {worst:E1}");

// A model exported by PyTorch (torch.onnx, opset 13: Gemm, Relu, Gemm, Tanh, Gemm, Softmax), baked from its .onnx file;
// the .json beside it holds inputs and PyTorch's outputs for them.
using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "models", "torch_mlp_4_8_5_3.json")));
var inputs = expected.RootElement.GetProperty("inputs").EnumerateArray().ToArray();
var torchOutputs = expected.RootElement.GetProperty("outputs").EnumerateArray().ToArray();
double worstTorch = 0;
var y = new float[TorchModel.OutputSize];
for (int s = 0; s < inputs.Length; s++)
{
    TorchModel.Forward(inputs[s].EnumerateArray().Select(v => v.GetSingle()).ToArray(), y);
    float[] reference = torchOutputs[s].EnumerateArray().Select(v => v.GetSingle()).ToArray();
    for (int k = 0; k < y.Length; k++) worstTorch = Math.Max(worstTorch, Math.Abs(y[k] - reference[k]));
}
Console.WriteLine($"{TorchModel.Architecture} baked from models/torch_mlp_4_8_5_3.onnx: largest difference from PyTorch's outputs {worstTorch:E1} ({inputs.Length} inputs)");
return accuracy >= 0.9 && worst <= 1e-5 && worstTorch <= 1e-5 ? 0 : 1;

[Network(64, Weights = "models/digits.safetensors", Frozen = true)]
[Dense(64, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
static partial class DigitsModel;

[Network(4, Weights = "models/torch_mlp_4_8_5_3.onnx", Frozen = true)]
[Dense(8, Activation.ReLU)]
[Dense(5, Activation.Tanh)]
[Dense(3, Activation.Softmax)]
static partial class TorchModel;
