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
    public void TheProjectsSwitchIsSetAndSelectsItsWidth()
    {
        // The width each project exists to test, from its name: FixedNet.Tests.Vector256 or FixedNet.Tests.Vector512.
        int expected = typeof(PinnedWidthTests).Assembly.GetName().Name switch
        {
            "FixedNet.Tests.Vector256" => 256,
            "FixedNet.Tests.Vector512" => 512,
            var other => throw new InvalidOperationException($"PinnedWidthTests is linked into {other}, which pins no known width."),
        };
        Assert.True(AppContext.TryGetSwitch(Simd.SwitchName, out bool pinned), $"{Simd.SwitchName} is not set in this test project's runtimeconfig.");
        Assert.Equal(expected == 512, pinned);
        Assert.Equal(expected == 512, Simd.UseVector512);
        Assert.Equal(expected, Simd.VectorBits);
    }
}
