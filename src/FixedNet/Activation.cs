namespace FixedNet;

/// <summary>Element-wise activation applied to a dense layer's pre-activation <c>z = W·x + b</c>.</summary>
public enum Activation
{
    /// <summary><c>a = z</c>.</summary>
    Identity = 0,
    /// <summary><c>a = 1 / (1 + e^(−z))</c>; <c>a′ = a(1 − a)</c>.</summary>
    Sigmoid = 1,
    /// <summary><c>a = tanh z</c>; <c>a′ = 1 − a²</c>.</summary>
    Tanh = 2,
    /// <summary><c>a = max(0, z)</c>; <c>a′ = 1</c> for <c>z &gt; 0</c>, else 0.</summary>
    ReLU = 3,
    /// <summary><c>a = z</c> for <c>z &gt; 0</c>, else <c>0.01·z</c> (PyTorch's default slope).</summary>
    LeakyReLU = 4,
    /// <summary><c>a_k = e^(z_k) / Σ_j e^(z_j)</c>; allowed on the last layer only.</summary>
    Softmax = 5,
    /// <summary>Exact GELU, <c>a = z·Φ(z) = ½z(1 + erf(z/√2))</c>, PyTorch's default <c>nn.GELU()</c>; <c>a′ = Φ(z) + z·φ(z)</c>.</summary>
    GELU = 6,
    /// <summary>SiLU (swish), <c>a = z·σ(z)</c>, as <c>nn.SiLU</c>; <c>a′ = σ(z)(1 + z(1 − σ(z)))</c>.</summary>
    SiLU = 7,
    /// <summary>ELU with α = 1, <c>a = z</c> for <c>z &gt; 0</c>, else <c>e^z − 1</c>, as <c>nn.ELU()</c>; <c>a′ = 1</c>, else <c>a + 1</c>.</summary>
    ELU = 8,
    /// <summary>Softplus with β = 1 and threshold 20, <c>a = log(1 + e^z)</c> (<c>z</c> above 20), as <c>nn.Softplus()</c>; <c>a′ = σ(z)</c>.</summary>
    Softplus = 9,
}
