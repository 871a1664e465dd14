using System;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>The per-batch passes of training (<see cref="VectorLoops"/>) at the width this process runs, every tail length.</summary>
public class VectorLoopsTests
{
    // a·x + y as the hardware computes a multiply-add: fused where there is FMA (the vector and scalar paths alike)
    private static float Expected(float x, float a, float y) => Fma.IsSupported ? MathF.FusedMultiplyAdd(x, a, y) : x * a + y;

    [Fact]
    public void MultiplyAdd_AndMultiply_AreElementWise_ForEveryLength_AndInPlace()
    {
        var random = new Random(1);
        for (int n = 0; n <= 70; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            const float A = -0.37f;

            var destination = new float[n];
            VectorLoops.MultiplyAdd(x, A, y, destination);
            Assert.Equal(x.Select((v, i) => Expected(v, A, y[i])), destination);

            var inPlace = y.ToArray();
            VectorLoops.MultiplyAdd(x, A, inPlace, inPlace); // θ −= η·g
            Assert.Equal(destination, inPlace);
            var overX = x.ToArray();
            VectorLoops.MultiplyAdd(overX, A, y, overX);     // v = μ·v + g
            Assert.Equal(destination, overX);

            VectorLoops.Multiply(x, A, destination);
            Assert.Equal(x.Select(v => v * A), destination);
        }
    }

    [Fact]
    public void LengthsMustAgree()
    {
        var error = Assert.Throws<ArgumentException>(() => VectorLoops.MultiplyAdd(new float[4], 1f, new float[4], new float[3]));
        Assert.Equal("destination", error.ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => VectorLoops.MultiplyAdd(new float[4], 1f, new float[5], new float[4])).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => VectorLoops.Multiply(new float[4], 1f, new float[5])).ParamName);
    }
}
