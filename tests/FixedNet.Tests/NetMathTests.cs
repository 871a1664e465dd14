using System;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// The branch-free ReLU family must give the same bits as its textbook definition for every input, the awkward ones
/// (NaN, ±0, ±∞, subnormals, the extremes) included: the generated networks and the reference engine both rely on it.
/// </summary>
public class NetMathTests
{
    private static readonly float[] Awkward =
    [
        float.NaN, -float.NaN, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
        1e-40f, -1e-40f, float.MaxValue, float.MinValue, 1f, -1f, 0.5f, -0.5f, 3.25e7f, -3.25e7f,
    ];

    private static void AssertSameBits(float expected, float actual, float input) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"input {input:R} (0x{BitConverter.SingleToInt32Bits(input):X8}): expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");

    private static float[] Inputs()
    {
        var random = new Random(11);
        var inputs = new float[Awkward.Length + 2000];
        Awkward.CopyTo(inputs, 0);
        for (int i = Awkward.Length; i < inputs.Length; i++) inputs[i] = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
        return inputs;
    }

    [Fact]
    public void ReLU_IsZForPositiveZ_ElsePositiveZero()
    {
        foreach (float z in Inputs()) AssertSameBits(z > 0f ? z : 0f, NetMath.ReLU(z), z);
    }

    [Fact]
    public void LeakyReLU_IsZForPositiveZ_ElseSlopeTimesZ()
    {
        foreach (float z in Inputs()) AssertSameBits(z > 0f ? z : NetMath.LeakySlope * z, NetMath.LeakyReLU(z), z);
    }

    [Fact]
    public void Derivatives_AreOneForPositiveActivation_ElseTheNegativeSlope()
    {
        foreach (float a in Inputs())
        {
            AssertSameBits(a > 0f ? 1f : 0f, NetMath.ReLUDerivative(a), a);
            AssertSameBits(a > 0f ? 1f : NetMath.LeakySlope, NetMath.LeakyReLUDerivative(a), a);
        }
    }

    [Fact]
    public void ReLU_OfNaN_IsZero_AsTheReferenceEngineDefinesIt()
    {
        Assert.Equal(0f, NetMath.ReLU(float.NaN));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(NetMath.ReLU(-0f)));
    }
}
