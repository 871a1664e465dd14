using System;
using System.ComponentModel;
using System.Threading;

namespace FixedNet.Runtime;

/// <summary>
/// Debug builds of generated networks only: marks an instance as in use for the duration of one public call, and
/// throws when a second thread enters while the first is still inside. A network's methods share the instance's scratch
/// buffers, so two threads at once give wrong results silently; this makes the mistake loud where it costs nothing that
/// matters (Release builds do not contain the check at all: the generated code has it under <c>#if DEBUG</c>).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct ConcurrencyGuard
{
    private ref int _inUse;

    /// <summary>Enters: <paramref name="inUse"/> goes from 0 to 1, or the call throws because another thread is inside the network named <paramref name="networkName"/>.</summary>
    /// <exception cref="InvalidOperationException">Another thread is inside a method of the same network.</exception>
    public ConcurrencyGuard(ref int inUse, string networkName)
    {
        if (Interlocked.Exchange(ref inUse, 1) != 0) ThrowInUse(networkName);
        _inUse = ref inUse;
    }

    /// <summary>Leaves: the network is free again.</summary>
    public readonly void Dispose() => Volatile.Write(ref _inUse, 0);

    private static void ThrowInUse(string networkName) =>
        throw new InvalidOperationException(
            $"'{networkName}' is used by two threads at once: its methods share the instance's scratch buffers, so the results " +
            "would be wrong. Give each thread its own Clone(). (This check runs in Debug builds only.)");
}
