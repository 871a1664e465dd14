using FixedNet;

namespace FixedNet.Benchmarks;

[Network(2, Loss = Loss.CrossEntropy)]
[Dense(2, Activation.Sigmoid)]
[Dense(2, Activation.Softmax)]
public partial class Net2x2x2;

[Network(64, Loss = Loss.CrossEntropy)]
[Dense(32, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class Net64x32x10;

[Network(784, Loss = Loss.CrossEntropy)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class Net784x128x10;

[Network(784, Loss = Loss.CrossEntropy)]
[Dense(256, Activation.ReLU)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class Net784x256x128x10;

// The small shapes of the comparison with RTNeural (issue "one definition per activation"), and one 64-32-10 network
// per activation kind.
[Network(8)]
[Dense(16, Activation.Tanh)]
[Dense(16, Activation.Tanh)]
[Dense(1, Activation.Identity)]
public partial class Net8x16x16x1Tanh;

[Network(8)]
[Dense(16, Activation.Sigmoid)]
[Dense(16, Activation.Sigmoid)]
[Dense(1, Activation.Sigmoid)]
public partial class Net8x16x16x1Sigmoid;

[Network(64, Loss = Loss.CrossEntropy)]
[Dense(32, Activation.Sigmoid)]
[Dense(10, Activation.Softmax)]
public partial class Net64x32x10Sigmoid;

[Network(64, Loss = Loss.CrossEntropy)]
[Dense(32, Activation.Tanh)]
[Dense(10, Activation.Softmax)]
public partial class Net64x32x10Tanh;

[Network(64, Loss = Loss.CrossEntropy)]
[Dense(32, Activation.LeakyReLU)]
[Dense(10, Activation.Softmax)]
public partial class Net64x32x10LeakyReLU;

[Network(64, Loss = Loss.CrossEntropy)]
[Dense(32, Activation.GELU)]
[Dense(10, Activation.Softmax)]
public partial class Net64x32x10Gelu;

[Network(64, Loss = Loss.CrossEntropy)]
[Dense(32, Activation.SiLU)]
[Dense(10, Activation.Softmax)]
public partial class Net64x32x10Silu;

[Network(64, Loss = Loss.CrossEntropy)]
[Dense(32, Activation.ELU)]
[Dense(10, Activation.Softmax)]
public partial class Net64x32x10Elu;

[Network(64, Loss = Loss.CrossEntropy)]
[Dense(32, Activation.Softplus)]
[Dense(10, Activation.Softmax)]
public partial class Net64x32x10Softplus;

/// <summary>The benchmarked shapes.</summary>
public static class Shapes
{
    /// <summary>The shapes every engine runs (64-32-10 is ReLU).</summary>
    public static readonly string[] Names = ["2-2-2", "64-32-10", "784-128-10", "784-256-128-10"];

    /// <summary>The small shapes measured against <see cref="HandWrittenMlp"/>.</summary>
    public static readonly string[] HandWritten = ["2-2-2", "8-16-16-1 tanh", "8-16-16-1 sigmoid", "64-32-10 sigmoid", "64-32-10"];

    /// <summary>64-32-10 with each hidden activation: the cost of each activation kind.</summary>
    public static readonly string[] ActivationKinds = ["64-32-10", "64-32-10 leakyrelu", "64-32-10 sigmoid", "64-32-10 tanh", "64-32-10 gelu", "64-32-10 silu", "64-32-10 elu", "64-32-10 softplus"];

    public static INetwork CreateGenerated(string shape) => shape switch
    {
        "2-2-2" => new Net2x2x2(),
        "64-32-10" => new Net64x32x10(),
        "784-128-10" => new Net784x128x10(),
        "784-256-128-10" => new Net784x256x128x10(),
        "8-16-16-1 tanh" => new Net8x16x16x1Tanh(),
        "8-16-16-1 sigmoid" => new Net8x16x16x1Sigmoid(),
        "64-32-10 sigmoid" => new Net64x32x10Sigmoid(),
        "64-32-10 tanh" => new Net64x32x10Tanh(),
        "64-32-10 leakyrelu" => new Net64x32x10LeakyReLU(),
        "64-32-10 gelu" => new Net64x32x10Gelu(),
        "64-32-10 silu" => new Net64x32x10Silu(),
        "64-32-10 elu" => new Net64x32x10Elu(),
        "64-32-10 softplus" => new Net64x32x10Softplus(),
        _ => throw new System.ArgumentException(shape, nameof(shape)),
    };

    /// <summary>Floating-point operations of one training step of one sample: 2·W forward, 2·W for ∂W, 2·W for the deltas of every layer but the first.</summary>
    public static long TrainFlops(NetworkArchitecture architecture)
    {
        long flops = 0;
        for (int l = 0; l < architecture.Layers.Count; l++)
            flops += (l == 0 ? 4L : 6L) * architecture.Layers[l].WeightCount;
        return flops;
    }

    public static long InferenceFlops(NetworkArchitecture architecture)
    {
        long flops = 0;
        foreach (var layer in architecture.Layers) flops += 2L * layer.WeightCount;
        return flops;
    }
}

// The digits sample's network (issue 18: the small-batch rule must not slow it down).
[Network(64, Loss = Loss.CrossEntropy)]
[Dense(64, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class Net64x64x10;

// The digits sample's network with its dropout, against Net64x64x10 without (DropoutCost); and a wider one.
[Network(64, Loss = Loss.CrossEntropy)]
[Dense(64, Activation.ReLU)]
[Dropout(0.2)]
[Dense(10, Activation.Softmax)]
public partial class Net64x64x10Dropout;

[Network(784, Loss = Loss.CrossEntropy)]
[Dense(128, Activation.ReLU)]
[Dropout(0.2)]
[Dense(10, Activation.Softmax)]
public partial class Mnist128Dropout;
