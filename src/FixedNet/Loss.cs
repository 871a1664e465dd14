namespace FixedNet;

/// <summary>Loss of one sample with output <c>o</c> and target <c>t</c>, both of length <c>n</c>. Conventions follow PyTorch where it has one.</summary>
public enum Loss
{
    /// <summary><c>L = (1/n) Σ (o − t)²</c>, like <c>torch.nn.MSELoss()</c> (reduction 'mean').</summary>
    MeanSquaredError = 0,
    /// <summary><c>L = ½ Σ (o − t)²</c>, the textbook form whose gradient is simply <c>o − t</c>.</summary>
    HalfSquaredError = 1,
    /// <summary><c>L = −Σ t·log o</c> over a softmax output, like <c>torch.nn.CrossEntropyLoss</c> with probability targets. Requires a <see cref="Activation.Softmax"/> last layer.</summary>
    CrossEntropy = 2,
    /// <summary><c>L = −(1/n) Σ [t·log o + (1 − t)·log(1 − o)]</c>, like <c>torch.nn.BCELoss()</c>. Requires a <see cref="Activation.Sigmoid"/> last layer.</summary>
    BinaryCrossEntropy = 3,
    /// <summary><c>L = (1/n) Σ |o − t|</c>, mean absolute error, like <c>torch.nn.L1Loss()</c> (reduction 'mean'; ∂|x|/∂x = sign x, 0 at 0).</summary>
    L1 = 4,
    /// <summary><c>L = (1/n) Σ h(o − t)</c> with <c>h(d) = ½d²</c> for |d| &lt; 1 and <c>|d| − ½</c> beyond, like <c>torch.nn.HuberLoss()</c> (δ = 1, reduction 'mean').</summary>
    Huber = 5,
}
