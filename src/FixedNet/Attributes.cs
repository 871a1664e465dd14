using System;

namespace FixedNet;

/// <summary>
/// Declares a <c>partial class</c> as a multilayer perceptron whose code is generated at compile time.
/// Put one <see cref="DenseAttribute"/> per layer on the same declaration, in order from input to output.
/// </summary>
/// <example>
/// <code>
/// [Network(2, Loss = Loss.CrossEntropy)]
/// [Dense(2, Activation.Sigmoid)]
/// [Dense(2, Activation.Softmax)]
/// public partial class TutorialNet { }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute : Attribute
{
    /// <summary>Declares a network taking <paramref name="inputSize"/> inputs.</summary>
    public NetworkAttribute(int inputSize) => InputSize = inputSize;

    /// <summary>Number of inputs.</summary>
    public int InputSize { get; }

    /// <summary>Training loss; <see cref="Loss.MeanSquaredError"/> unless set.</summary>
    public Loss Loss { get; set; } = Loss.MeanSquaredError;

    /// <summary>
    /// A weights file to bake in at compile time, relative to the project, for example <c>"models/amp.safetensors"</c>:
    /// a safetensors file with FixedNet's tensor names (<c>layers.{l}.weight</c>, <c>layers.{l}.bias</c>, as
    /// <see cref="Serialization.Safetensors.Save(INetwork, string)"/> writes them) or a <c>torch.nn.Sequential</c>
    /// state_dict's (<c>{index}.weight</c>, <c>{index}.bias</c>), or an ONNX model (<c>.onnx</c>: Gemm, or MatMul + Add,
    /// whose activations must be the declared ones). The project must list the same file as
    /// <c>&lt;FixedNetWeights Include="models/amp.safetensors" /&gt;</c>. A tensor that is missing, extra, or of another
    /// shape or type is a compile error (FN0019–FN0028). A new network starts from these values, and the generated
    /// <c>ResetParameters()</c> returns to them.
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>
    /// With <see cref="Weights"/>: inference only. The network's <c>Forward</c> and <c>ForwardBatch</c> are generated as
    /// <c>static</c> methods over the baked weights, with no instance state: no <c>new</c>, nothing to load, and safe to
    /// call from any number of threads at once. The class then has no training members and does not implement
    /// <see cref="INetwork"/>.
    /// </summary>
    public bool Frozen { get; set; }
}

/// <summary>A fully connected layer <c>a = f(W·x + b)</c> with <see cref="Size"/> units.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : Attribute
{
    /// <summary>Declares a dense layer of <paramref name="size"/> units with the given activation.</summary>
    public DenseAttribute(int size, Activation activation = Activation.Identity)
    {
        Size = size;
        Activation = activation;
    }

    /// <summary>Number of units (outputs) of the layer.</summary>
    public int Size { get; }

    /// <summary>Activation applied element-wise to the layer's pre-activation.</summary>
    public Activation Activation { get; }
}

/// <summary>
/// Inverted dropout after the <c>[Dense]</c> layer declared before it, as <c>torch.nn.Dropout</c>
/// (https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html): in training (<c>Backward</c>, <c>TrainStep</c>,
/// <c>BackwardBatch</c>, <c>TrainBatch</c>) each output of that layer is zeroed with probability <see cref="Probability"/>
/// and the others are scaled by 1/(1 − p); in <c>Forward</c>, <c>ForwardBatch</c> and <c>ComputeLoss</c> it is the
/// identity. It goes between two <c>[Dense]</c> layers; the masks come from the network's seeded generator
/// (<see cref="INetwork.DropoutState"/>), so training stays deterministic.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : Attribute
{
    /// <summary>Declares a dropout with probability <paramref name="probability"/> of zeroing each unit, in [0, 1) (PyTorch's default is 0.5).</summary>
    public DropoutAttribute(double probability = 0.5) => Probability = probability;

    /// <summary>The probability that a unit is zeroed in training.</summary>
    public double Probability { get; }
}
