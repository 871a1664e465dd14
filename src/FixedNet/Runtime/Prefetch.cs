using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FixedNet.Runtime;

/// <summary>Software prefetch for the dense kernels (<see cref="Kernels.Dense"/>).</summary>
/// <remarks>A prefetch is only a hint: it never faults, changes no value, and is skipped where the CPU has no such instruction.</remarks>
internal static class Prefetch
{
    /// <summary>Asks for the cache line that holds <paramref name="value"/> to be brought into all cache levels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line(ref float value)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref value));
    }
}
