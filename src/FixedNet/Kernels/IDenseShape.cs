using System.ComponentModel;

namespace FixedNet.Kernels;

/// <summary>
/// The sizes of a dense layer as constants the JIT compiles into <see cref="Dense"/>'s kernels. A generated network
/// declares one struct per distinct layer shape (<c>file readonly struct Dense784x128 : IDenseShape</c>); each
/// kernel instantiated over it is machine code for exactly that shape, with constant loop bounds and no branch
/// left on the sizes, as a C++ template over the sizes would be. Layers of the same shape share one instantiation.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public interface IDenseShape
{
    /// <summary>Inputs of the layer: the columns of its weight matrix W [outputs × inputs].</summary>
    static abstract int Inputs { get; }

    /// <summary>Outputs (units) of the layer: the rows of W.</summary>
    static abstract int Outputs { get; }
}

/// <summary>A count fixed at compile time, for the tile sizes of the kernels.</summary>
internal interface ICount
{
    static abstract int Value { get; }
}

#pragma warning disable CS1591
internal readonly struct One : ICount { public static int Value => 1; }
internal readonly struct Three : ICount { public static int Value => 3; }
internal readonly struct Four : ICount { public static int Value => 4; }
internal readonly struct Six : ICount { public static int Value => 6; }
internal readonly struct Eight : ICount { public static int Value => 8; }
#pragma warning restore CS1591
