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

/// <summary>The benchmarked shapes.</summary>
public static class Shapes
{
    public static readonly string[] Names = ["2-2-2", "64-32-10", "784-128-10", "784-256-128-10"];

    public static INetwork CreateGenerated(string shape) => shape switch
    {
        "2-2-2" => new Net2x2x2(),
        "64-32-10" => new Net64x32x10(),
        "784-128-10" => new Net784x128x10(),
        "784-256-128-10" => new Net784x256x128x10(),
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
