namespace FixedNet.Generator.Model;

/// <summary>Mirror of <c>FixedNet.Activation</c> (same values); the generator does not reference the runtime library.</summary>
internal enum ActivationKind
{
    Identity = 0,
    Sigmoid = 1,
    Tanh = 2,
    ReLU = 3,
    LeakyReLU = 4,
    Softmax = 5,
    GELU = 6,
    SiLU = 7,
    ELU = 8,
    Softplus = 9,
}
