namespace FixedNet.Generator.Model;

/// <summary>Everything the emitter needs to write one network, as plain values (no symbols, syntax or locations).</summary>
internal sealed record NetworkModel(
    string? Namespace,
    string TypeName,
    EquatableArray<ContainingTypeModel> ContainingTypes,
    int InputSize,
    LossKind Loss,
    EquatableArray<LayerModel> Layers)
{
    /// <summary>
    /// The generated part can declare constructors: the class is not abstract and its base class has a parameterless
    /// constructor it can call. Otherwise it gets no <c>Clone()</c> (it could not create the copy) and no constructor.
    /// </summary>
    public bool CanConstruct { get; init; } = true;

    /// <summary>The user's part declares instance constructors; otherwise the generated part declares the public parameterless one that C# would have given.</summary>
    public bool DeclaresConstructors { get; init; }

    /// <summary>The weights file named by <c>[Network(…, Weights = "…")]</c>, normalized (<see cref="Weights.WeightsFile.Normalize"/>); null when none.</summary>
    public string? WeightsPath { get; init; }

    /// <summary><c>Frozen = true</c>: inference only, static members over the baked weights, no instance state.</summary>
    public bool Frozen { get; init; }

    /// <summary>
    /// The FN errors (ids, comma-separated) this model stands in for: the declaration names a wrong activation or loss,
    /// and the members are generated anyway, from the identity or squared error in its place, so that the FN error is
    /// the only error of the build. Null for a valid declaration.
    /// </summary>
    public string? StandInFor { get; init; }

    /// <summary>The baked parameters as float bits, in FixedNet's layout; empty until the file has been matched (or when it did not match).</summary>
    public EquatableArray<int> BakedBits { get; init; } = EquatableArray<int>.Empty;

    public int OutputSize => Layers[Layers.Count - 1].Size;

    public int ParameterCount
    {
        get
        {
            var last = Layers[Layers.Count - 1];
            return last.BiasOffset + last.Size;
        }
    }

    /// <summary><c>Namespace.Outer.Type</c>, without the '@' of escaped keywords: the base of the hint name (<see cref="HintNames"/>).</summary>
    public string FullName
    {
        get
        {
            var name = Namespace is null ? string.Empty : Namespace.Replace("@", string.Empty) + ".";
            foreach (var containing in ContainingTypes) name += containing.Name + ".";
            return name + TypeName;
        }
    }
}
