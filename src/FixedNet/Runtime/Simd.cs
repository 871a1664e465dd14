using System;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.Intrinsics;

namespace FixedNet.Runtime;

/// <summary>
/// Which vector width generated networks and the activation loops run with: 512, 256 or 128 bits at most. The dense
/// kernels (<see cref="Kernels.Dense"/>) exist at each width; each layer takes the widest that suits its shape up to
/// <see cref="VectorBits"/>.
/// </summary>
/// <remarks>
/// <para>By default the widest width the hardware accelerates runs: 512 bits where
/// <see cref="Vector512.IsHardwareAccelerated"/> (AVX-512), else 256 where <see cref="Vector256.IsHardwareAccelerated"/>
/// (AVX2), else 128 (SSE, Arm64 AdvSimd, and a Native AOT build with default settings, whose x64 baseline has no AVX2).
/// So no build runs vector code in software unless told to.</para>
/// <para>The width can be fixed per process with the runtime configuration option <c>FixedNet.VectorWidth</c>
/// (<c>&lt;RuntimeHostConfigurationOption Include="FixedNet.VectorWidth" Value="128" /&gt;</c>) or the environment
/// variable <c>FIXEDNET_VECTOR_WIDTH</c> (128, 256 or 512); the option wins. The older switch <c>FixedNet.UseVector512</c> and
/// variable <c>FIXEDNET_USE_VECTOR512</c> still work below them: true selects 512 bits, false the widest accelerated
/// width below 512.</para>
/// <para>Forcing a width the hardware does not accelerate is allowed: .NET then runs it in software, correctly but many
/// times slower. That is how every width is tested on every machine.</para>
/// <para>The values are read once, when this class is first used; the JIT then treats them as constants, so the
/// choice costs nothing per call.</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class Simd
{
    /// <summary>The runtime configuration option that fixes the width: 128, 256 or 512.</summary>
    public const string WidthOptionName = "FixedNet.VectorWidth";

    /// <summary>The environment variable that fixes the width where the option is not set.</summary>
    public const string WidthEnvironmentVariable = "FIXEDNET_VECTOR_WIDTH";

    /// <summary>The older switch: true selects 512 bits, false the widest accelerated width below 512.</summary>
    public const string SwitchName = "FixedNet.UseVector512";

    /// <summary>The older environment variable, read where the switch is not set (0, 1, false, true).</summary>
    public const string EnvironmentVariable = "FIXEDNET_USE_VECTOR512";

    /// <summary>The widest vectors, in bits, that generated networks and the activation loops run in this process: 128, 256 or 512.</summary>
    public static readonly int VectorBits = Choose(
        AppContext.GetData(WidthOptionName) as string,
        Environment.GetEnvironmentVariable(WidthEnvironmentVariable),
        AppContext.TryGetSwitch(SwitchName, out bool value) ? value : null,
        Environment.GetEnvironmentVariable(EnvironmentVariable),
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128);

    /// <summary>True when <see cref="VectorBits"/> is 512: layers wide enough run the 512-bit kernels.</summary>
    public static readonly bool UseVector512 = VectorBits == 512;

    /// <summary>True when <see cref="VectorBits"/> is 256.</summary>
    public static readonly bool UseVector256 = VectorBits == 256;

    /// <summary>
    /// The rule behind <see cref="VectorBits"/>: the width option, else the width variable, else the old switch, else the
    /// old variable, else the widest accelerated width (<paramref name="widestAccelerated"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A width is not 128, 256 or 512, or the old variable is not 0, 1, false or true.</exception>
    internal static int Choose(string? widthOption, string? widthVariable, bool? use512Switch, string? use512Variable, int widestAccelerated)
    {
        if (Width(widthOption, WidthOptionName) is int fixedByOption) return fixedByOption;
        if (Width(widthVariable, WidthEnvironmentVariable) is int fixedByVariable) return fixedByVariable;
        bool? use512 = use512Switch;
        if (use512 is null && !string.IsNullOrWhiteSpace(use512Variable))
        {
            use512 = use512Variable.Trim().ToLowerInvariant() switch
            {
                "1" or "true" => true,
                "0" or "false" => false,
                _ => throw new ArgumentException($"{EnvironmentVariable} must be 0, 1, false or true, not '{use512Variable}'.", nameof(use512Variable)),
            };
        }
        return use512 switch
        {
            true => 512,
            false => Math.Min(widestAccelerated, 256),
            null => widestAccelerated,
        };
    }

    private static int? Width(string? text, string source)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int bits) && bits is 128 or 256 or 512
            ? bits
            : throw new ArgumentException($"{source} must be 128, 256 or 512, not '{text}'.", nameof(text));
    }
}
