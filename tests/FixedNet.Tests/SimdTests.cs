using System;
using System.Runtime.Intrinsics;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>How generated networks choose between their Vector256 and Vector512 kernels.</summary>
public class SimdTests
{
    [Theory]
    [InlineData(true, null, false, true)]    // the switch wins over the hardware…
    [InlineData(false, null, true, false)]
    [InlineData(false, "1", true, false)]    // …and over the environment variable
    [InlineData(null, "1", false, true)]     // the environment variable wins over the hardware
    [InlineData(null, "true", false, true)]
    [InlineData(null, " TRUE ", false, true)]
    [InlineData(null, "0", true, false)]
    [InlineData(null, "false", true, false)]
    [InlineData(null, null, true, true)]     // otherwise the hardware decides
    [InlineData(null, "", false, false)]
    [InlineData(null, "  ", true, true)]
    public void TheSwitchThenTheEnvironmentThenTheHardwareDecide(bool? switchValue, string? environment, bool hardware, bool expected) =>
        Assert.Equal(expected, Simd.Choose(switchValue, environment, hardware));

    [Fact]
    public void AnUnknownEnvironmentValueIsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => Simd.Choose(null, "yes", true));
        Assert.Contains(Simd.EnvironmentVariable, error.Message);
        Assert.Contains("'yes'", error.Message);
    }

    [Fact]
    public void ThisProcessFollowsTheRule()
    {
        bool? switchValue = AppContext.TryGetSwitch(Simd.SwitchName, out bool value) ? value : null;
        bool expected = Simd.Choose(switchValue, Environment.GetEnvironmentVariable(Simd.EnvironmentVariable), Vector512.IsHardwareAccelerated);
        Assert.Equal(expected, Simd.UseVector512);
        Assert.Equal(expected ? 512 : 256, Simd.VectorBits);
    }
}
