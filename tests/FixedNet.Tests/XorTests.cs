using System;
using FixedNet;
using Xunit;

namespace FixedNet.Tests;

public class XorTests
{
    [Fact]
    public void Xor_TrainsBelowOneHundredth()
    {
        var net = new XorNet();
        net.InitializeParameters(seed: 1);
        float[][] inputs = [[0, 0], [0, 1], [1, 0], [1, 1]];
        float[][] targets = [[0], [1], [1], [0]];
        float loss = float.MaxValue;
        for (int epoch = 0; epoch < 5000 && loss >= 0.01f; epoch++)
        {
            loss = 0f;
            for (int s = 0; s < 4; s++) loss += net.TrainStep(inputs[s], targets[s], 0.5f);
            loss /= 4;
        }
        Assert.True(loss < 0.01f, $"loss {loss}");
        Span<float> output = stackalloc float[1];
        for (int s = 0; s < 4; s++)
        {
            net.Forward(inputs[s], output);
            Assert.Equal(targets[s][0], MathF.Round(output[0]));
        }
    }
}
