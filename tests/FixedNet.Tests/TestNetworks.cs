using FixedNet;

namespace FixedNet.Tests;

// The seed tutorial's network (shared/seeds/004): 2 → 2 sigmoid → 2 softmax, cross-entropy.
[Network(2, Loss = Loss.CrossEntropy)]
[Dense(2, Activation.Sigmoid)]
[Dense(2, Activation.Softmax)]
public partial class TutorialNet;

// Small (fully unrolled) networks covering every activation and loss.
[Network(3)]
[Dense(4, Activation.Tanh)]
[Dense(2, Activation.Identity)]
public partial class TanhMseNet;

[Network(2, Loss = Loss.HalfSquaredError)]
[Dense(3, Activation.Sigmoid)]
[Dense(2, Activation.Sigmoid)]
public partial class SigmoidHalfNet;

[Network(3, Loss = Loss.BinaryCrossEntropy)]
[Dense(4, Activation.ReLU)]
[Dense(2, Activation.Sigmoid)]
public partial class ReluBceNet;

[Network(4)]
[Dense(5, Activation.LeakyReLU)]
[Dense(3, Activation.Softmax)]
public partial class LeakySoftmaxMseNet;

[Network(2, Loss = Loss.BinaryCrossEntropy)]
[Dense(4, Activation.Tanh)]
[Dense(1, Activation.Sigmoid)]
public partial class XorNet;

// The activations whose derivative needs z (GELU, SiLU, Softplus) and ELU, unrolled: hidden and output layers.
[Network(3)]
[Dense(4, Activation.GELU)]
[Dense(3, Activation.SiLU)]
[Dense(2, Activation.Softplus)]
public partial class SmoothMseNet;

[Network(4, Loss = Loss.CrossEntropy)]
[Dense(5, Activation.ELU)]
[Dense(3, Activation.Softmax)]
public partial class EluSoftmaxNet;

[Network(2, Loss = Loss.HalfSquaredError)]
[Dense(3, Activation.Softplus)]
[Dense(2, Activation.ELU)]
public partial class SoftplusEluNet;

// The regression losses: L1 on a small (unrolled) network, Huber on one that runs the kernels.
[Network(3, Loss = Loss.L1)]
[Dense(5, Activation.Tanh)]
[Dense(2, Activation.Identity)]
public partial class L1Net;

// Larger networks (Vector256 loops), with sizes that are not multiples of 8 or 4 to exercise every tail.
[Network(37, Loss = Loss.CrossEntropy)]
[Dense(19, Activation.ReLU)]
[Dense(11, Activation.Tanh)]
[Dense(5, Activation.Softmax)]
public partial class WideSoftmaxNet;

[Network(20, Loss = Loss.BinaryCrossEntropy)]
[Dense(40, Activation.LeakyReLU)]
[Dense(3, Activation.Sigmoid)]
public partial class WideBceNet;

[Network(64)]
[Dense(32, Activation.Sigmoid)]
[Dense(10, Activation.Identity)]
public partial class WideMseNet;

[Network(17, Loss = Loss.HalfSquaredError)]
[Dense(9, Activation.Identity)]
[Dense(33, Activation.Softmax)]
public partial class WideSoftmaxHalfNet;

[Network(29, Loss = Loss.Huber)]
[Dense(21, Activation.ReLU)]
[Dense(7, Activation.Identity)]
public partial class WideHuberNet;

[Network(784, Loss = Loss.CrossEntropy)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class MnistNet;

// Weights over 128 KiB with 1003 = 125·8 + 3 inputs: the batch forward works in panels and has a column tail.
[Network(1003)]
[Dense(40, Activation.Sigmoid)]
[Dense(3, Activation.Identity)]
public partial class PanelNet;

// The new activations in the loop code, with sizes that leave tails at every width; the last layer's f′ reads z.
[Network(37, Loss = Loss.CrossEntropy)]
[Dense(19, Activation.GELU)]
[Dense(11, Activation.SiLU)]
[Dense(5, Activation.Softmax)]
public partial class WideGeluSiluNet;

[Network(20)]
[Dense(40, Activation.ELU)]
[Dense(17, Activation.Softplus)]
[Dense(3, Activation.GELU)]
public partial class WideEluSoftplusNet;

// Nested in a namespace-less partial type, to check the generator handles containing types.
public static partial class Holder
{
    [Network(3, Loss = Loss.MeanSquaredError)]
    [Dense(2, Activation.Tanh)]
    public partial class NestedNet;
}

// Dropout (issue 17) in the loop code: tails at every width, a GELU below a dropout (its f′ reads z), two dropouts in a row of layers.
[Network(23, Loss = Loss.CrossEntropy)]
[Dense(19, Activation.ReLU)]
[Dropout(0.3)]
[Dense(13, Activation.GELU)]
[Dropout]
[Dense(5, Activation.Softmax)]
public partial class WideDropoutNet;

// A network small enough to be unrolled, which its dropout sends to the loop code; 3 units leave no whole vector.
[Network(4, Loss = Loss.HalfSquaredError)]
[Dense(3, Activation.Tanh)]
[Dropout(0.25)]
[Dense(2, Activation.Identity)]
public partial class SmallDropoutNet;

// Several threads on one batch (issue 18): every hidden layer wide enough to split by rows (at least 32), a GELU whose f′
// reads z, a Softplus, tails at every width.
[Network(70, Loss = Loss.CrossEntropy)]
[Dense(48, Activation.GELU)]
[Dense(35, Activation.Softplus)]
[Dense(6, Activation.Softmax)]
public partial class SharedGeluNet;

// One layer, wide enough for its rows to split between threads: the output layer's forward pass in shares, then the loss.
[Network(100, Loss = Loss.CrossEntropy)]
[Dense(40, Activation.Softmax)]
public partial class SharedSingleLayerNet;

// One layer of fewer than 32 units: its forward product splits by samples, and each chunk ends at a barrier (issue 18).
[Network(50, Loss = Loss.CrossEntropy)]
[Dense(10, Activation.Softmax)]
public partial class SharedSmallSingleLayerNet;
