using System;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// Linked into FixedNet.Tests.Vector256 and FixedNet.Tests.Vector512, whose runtimeconfig pins the kernel width with the
/// <c>FixedNet.UseVector512</c> switch: this process really runs the pinned width. Otherwise the linked tests would
/// check the hardware's width twice and the other width never.
/// </summary>
public class PinnedWidthTests
{
    [Fact]
    public void TheProjectsSwitchIsSetAndSelectsTheKernels()
    {
        Assert.True(AppContext.TryGetSwitch(Simd.SwitchName, out bool pinned), $"{Simd.SwitchName} is not set in this test project's runtimeconfig.");
        Assert.Equal(pinned, Simd.UseVector512);
        Assert.Equal(pinned ? 512 : 256, Simd.VectorBits);
    }
}
