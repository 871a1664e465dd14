using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>This process really runs the 256-bit kernels; otherwise, on AVX-512 machines, the linked tests would check the 512-bit ones twice.</summary>
public class SimdSelectionTests
{
    [Fact]
    public void TheSwitchSelectsTheVector256Kernels()
    {
        Assert.False(Simd.UseVector512, "FixedNet.UseVector512 is false in this project's runtimeconfig, so the 256-bit kernels must run");
        Assert.Equal(256, Simd.VectorBits);
    }
}
