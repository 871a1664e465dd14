using System;
using System.Runtime.Intrinsics;
using FixedNet.Runtime;
using Xunit;

namespace FixedNet.Tests;

/// <summary>How generated networks and the activation loops choose their vector width.</summary>
public class SimdTests
{
    [Theory]
    [InlineData("128", "512", true, "1", 512, 128)]  // the width option wins over everything…
    [InlineData(null, "256", true, "1", 512, 256)]   // …then the width variable…
    [InlineData(null, " 512 ", null, null, 128, 512)]
    [InlineData(null, null, true, null, 256, 512)]   // …then the old switch…
    [InlineData(null, null, false, "1", 512, 256)]   // (false: the widest accelerated below 512)
    [InlineData(null, null, false, null, 128, 128)]
    [InlineData(null, null, null, "1", 256, 512)]    // …then the old variable…
    [InlineData(null, null, null, " TRUE ", 128, 512)]
    [InlineData(null, null, null, "0", 512, 256)]
    [InlineData(null, null, null, "false", 128, 128)]
    [InlineData(null, null, null, null, 512, 512)]   // …otherwise the widest the hardware accelerates
    [InlineData(null, null, null, null, 256, 256)]
    [InlineData(null, null, null, null, 128, 128)]   // a Native AOT build for the x64 baseline, Arm64
    [InlineData("", " ", null, "  ", 256, 256)]
    public void TheOptionThenTheVariableThenTheOldSwitchThenTheHardwareDecide(string? option, string? variable, bool? use512, string? use512Variable, int widest, int expected) =>
        Assert.Equal(expected, Simd.Choose(option, variable, use512, use512Variable, widest));

    [Theory]
    [InlineData("64", null, null)]
    [InlineData(null, "1024", null)]
    [InlineData(null, "wide", null)]
    [InlineData(null, null, "yes")]
    public void AnUnknownValueIsAClearError(string? option, string? variable, string? use512Variable)
    {
        var error = Assert.Throws<ArgumentException>(() => Simd.Choose(option, variable, null, use512Variable, 256));
        string named = option is not null ? Simd.WidthOptionName : variable is not null ? Simd.WidthEnvironmentVariable : Simd.EnvironmentVariable;
        Assert.Contains(named, error.Message);
        Assert.Contains("'" + (option ?? variable ?? use512Variable) + "'", error.Message);
    }

    [Fact]
    public void ThisProcessFollowsTheRule()
    {
        int widest = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;
        bool? use512 = AppContext.TryGetSwitch(Simd.SwitchName, out bool value) ? value : null;
        int expected = Simd.Choose(AppContext.GetData(Simd.WidthOptionName) as string, Environment.GetEnvironmentVariable(Simd.WidthEnvironmentVariable),
            use512, Environment.GetEnvironmentVariable(Simd.EnvironmentVariable), widest);
        Assert.Equal(expected, Simd.VectorBits);
        Assert.Equal(expected == 512, Simd.UseVector512);
        Assert.Equal(expected == 256, Simd.UseVector256);
    }
}
