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
}
