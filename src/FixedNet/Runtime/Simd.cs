using System;
using System.ComponentModel;
using System.Runtime.Intrinsics;

namespace FixedNet.Runtime;

/// <summary>
/// Which vector width the generated loop code runs with. Generated networks carry their kernels twice, with
/// <see cref="Vector256"/> and with <see cref="Vector512"/>, and pick one through <see cref="UseVector512"/>.
/// </summary>
/// <remarks>
/// <para>By default the 512-bit kernels run exactly where <see cref="Vector512.IsHardwareAccelerated"/> is true
/// (AVX-512). The choice can be fixed per process with the runtime configuration switch
/// <c>FixedNet.UseVector512</c> (in a project: <c>&lt;RuntimeHostConfigurationOption Include="FixedNet.UseVector512" Value="false" /&gt;</c>)
/// or the environment variable <c>FIXEDNET_USE_VECTOR512</c> (<c>0</c>/<c>1</c>, <c>false</c>/<c>true</c>); the switch wins.</para>
/// <para>Forcing 512-bit kernels on a machine without AVX-512 is allowed: .NET then runs them in software, correctly
/// but many times slower. That is how the 512-bit kernels are tested on machines without AVX-512.</para>
/// <para>The value is read once, when this class is first used; the JIT then treats it as a constant, so the choice costs nothing per call.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Simd
{
    /// <summary>The name of the runtime configuration switch that fixes the choice.</summary>
    public const string SwitchName = "FixedNet.UseVector512";

    /// <summary>The name of the environment variable that fixes the choice where the switch is not set.</summary>
    public const string EnvironmentVariable = "FIXEDNET_USE_VECTOR512";

    /// <summary>True when generated networks run their 512-bit kernels in this process.</summary>
    public static readonly bool UseVector512 = Choose(
        AppContext.TryGetSwitch(SwitchName, out bool value) ? value : null,
        Environment.GetEnvironmentVariable(EnvironmentVariable),
        Vector512.IsHardwareAccelerated);

    /// <summary>The vector width, in bits, of the kernels generated networks run in this process: 256 or 512.</summary>
    public static int VectorBits => UseVector512 ? 512 : 256;

    /// <summary>The rule behind <see cref="UseVector512"/>: the switch, else the environment variable, else the hardware.</summary>
    /// <exception cref="ArgumentException"><paramref name="environmentValue"/> is set but is not 0, 1, false or true.</exception>
    internal static bool Choose(bool? switchValue, string? environmentValue, bool hardwareAccelerated)
    {
        if (switchValue is bool fixedBySwitch) return fixedBySwitch;
        if (string.IsNullOrWhiteSpace(environmentValue)) return hardwareAccelerated;
        return environmentValue.Trim().ToLowerInvariant() switch
        {
            "1" or "true" => true,
            "0" or "false" => false,
            _ => throw new ArgumentException(
                $"{EnvironmentVariable} must be 0, 1, false or true, not '{environmentValue}'.", nameof(environmentValue)),
        };
    }
}
