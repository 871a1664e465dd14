using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>This process really runs the 512-bit kernels; otherwise, on machines without AVX-512, the linked tests would check the 256-bit ones twice.</summary>
public class SimdSelectionTests
{
    [Fact]
    public void TheSwitchSelectsTheVector512Kernels()
    {
        Assert.True(Simd.UseVector512, "FixedNet.UseVector512 is set in this project's runtimeconfig, so the 512-bit kernels must run");
        Assert.Equal(512, Simd.VectorBits);
    }
}
