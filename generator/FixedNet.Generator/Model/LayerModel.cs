namespace FixedNet.Generator.Model;

/// <summary>One dense layer: <see cref="Inputs"/> → <see cref="Size"/> units with <see cref="Activation"/>, and where its parameters live.</summary>
internal readonly record struct LayerModel(int Inputs, int Size, ActivationKind Activation, int WeightOffset, int BiasOffset)
{
    /// <summary>The probability of the <c>[Dropout]</c> after this layer, 0 for none.</summary>
    public float Dropout { get; init; }

    public int WeightCount => Inputs * Size;

    public int ParameterCount => Inputs * Size + Size;
}
