using System;
using System.Runtime.Intrinsics;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>The four-at-once reductions the generated kernels use after their dot products.</summary>
public class VectorMathTests
{
    private static float Pairwise(ReadOnlySpan<float> v) => ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));

    [Fact]
    public void Sum4_OfVector256_IsEachVectorsPairwiseSum()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 100; trial++)
        {
            var lanes = new float[4][];
            for (int k = 0; k < 4; k++)
            {
                lanes[k] = new float[8];
                for (int i = 0; i < 8; i++) lanes[k][i] = (float)(random.NextDouble() * 2000 - 1000) * MathF.Pow(10, random.Next(-6, 6));
            }
            var sums = VectorMath.Sum4(Vector256.Create(lanes[0]), Vector256.Create(lanes[1]), Vector256.Create(lanes[2]), Vector256.Create(lanes[3]));
            for (int k = 0; k < 4; k++) Assert.Equal(Pairwise(lanes[k]), sums[k]);
        }
    }

    [Fact]
    public void Sum4_OfVector512_AddsTheHalvesThenPairwise()
    {
        var random = new Random(8);
        for (int trial = 0; trial < 100; trial++)
        {
            var lanes = new float[4][];
            for (int k = 0; k < 4; k++)
            {
                lanes[k] = new float[16];
                for (int i = 0; i < 16; i++) lanes[k][i] = (float)(random.NextDouble() * 2 - 1);
            }
            var sums = VectorMath.Sum4(Vector512.Create(lanes[0]), Vector512.Create(lanes[1]), Vector512.Create(lanes[2]), Vector512.Create(lanes[3]));
            for (int k = 0; k < 4; k++)
            {
                var halves = new float[8];
                for (int i = 0; i < 8; i++) halves[i] = lanes[k][i] + lanes[k][i + 8];
                Assert.Equal(Pairwise(halves), sums[k]);
            }
        }
    }
}
