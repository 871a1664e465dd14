using System;
using System.Linq;
using FixedNet;

// XOR: the classic problem a single layer cannot solve. 2 inputs → 4 tanh units → 1 sigmoid output.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("Trains a 2-4-1 network on XOR with plain SGD (TrainStep, η = 0.5) until the mean loss is below 0.01, then");
    Console.WriteLine("prints its output for the four inputs. No options.");
    return 0;
}
var net = new XorNet();
net.InitializeParameters(seed: 1);
float[][] inputs = [[0, 0], [0, 1], [1, 0], [1, 1]];
float[][] targets = [[0], [1], [1], [0]];

float loss = float.MaxValue;
for (int epoch = 1; epoch <= 5000 && loss >= 0.01f; epoch++)
{
    loss = 0f;
    for (int s = 0; s < inputs.Length; s++) loss += net.TrainStep(inputs[s], targets[s], learningRate: 0.5f);
    loss /= inputs.Length;
    if (epoch % 500 == 0) Console.WriteLine($"epoch {epoch,5}: mean loss {loss:F5}");
}

Span<float> output = stackalloc float[XorNet.OutputSize];
for (int s = 0; s < inputs.Length; s++)
{
    net.Forward(inputs[s], output);
    Console.WriteLine($"{inputs[s][0]} xor {inputs[s][1]} = {output[0]:F3} (target {targets[s][0]})");
}
Console.WriteLine($"final mean loss {loss:F5}");
return loss < 0.01f ? 0 : 1;

[Network(2, Loss = Loss.BinaryCrossEntropy)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class XorNet;
