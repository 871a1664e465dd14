using System;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// Linked into FixedNet.Tests.Vector128, .Vector256 and .Vector512, whose runtimeconfig pins the kernel width
/// (<c>FixedNet.VectorWidth</c>, or the older <c>FixedNet.UseVector512</c> switch): this process really runs the pinned
/// width. Otherwise the linked tests would check the hardware's width three times and the other widths never.
/// </summary>
public class PinnedWidthTests
{
    [Fact]
    public void TheProjectsOptionIsSetAndSelectsItsWidth()
    {
        // The width each project exists to test, from its name: FixedNet.Tests.Vector128, .Vector256 or .Vector512.
        int expected = typeof(PinnedWidthTests).Assembly.GetName().Name switch
        {
            "FixedNet.Tests.Vector128" => 128,
            "FixedNet.Tests.Vector256" => 256,
            "FixedNet.Tests.Vector512" => 512,
            var other => throw new InvalidOperationException($"PinnedWidthTests is linked into {other}, which pins no known width."),
        };
        bool byOption = AppContext.GetData(Simd.WidthOptionName) is string width && width == expected.ToString(System.Globalization.CultureInfo.InvariantCulture);
        bool bySwitch = AppContext.TryGetSwitch(Simd.SwitchName, out bool use512) && use512 == (expected == 512);
        Assert.True(byOption || bySwitch, $"Neither {Simd.WidthOptionName} nor {Simd.SwitchName} pins {expected} bits in this test project's runtimeconfig.");
        Assert.Equal(expected, Simd.VectorBits);
        Assert.Equal(expected == 512, Simd.UseVector512);
        Assert.Equal(expected == 256, Simd.UseVector256);
    }
}
