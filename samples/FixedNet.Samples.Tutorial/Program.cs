using System;
using System.Globalization;
using System.Linq;
using FixedNet;

// The worked example of shared/seeds/004 (误差反向传播): a 2-2-2 network with a sigmoid hidden layer, a softmax
// output and cross-entropy, one forward pass, one backward pass, one SGD step with η = 0.01. Each line prints the
// tutorial's (3-digit) value next to ours. Intermediate values come from generated networks too: HiddenZ (identity)
// and Hidden (sigmoid) share the tutorial's first layer, so their outputs are z(2) and a(2).
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("Recomputes the worked 2-2-2 example of shared/seeds/004 (误差反向传播, error backpropagation) with FixedNet and");
    Console.WriteLine("prints the tutorial's value, ours and whether they agree to the tutorial's printed digits; exits with 1 if any");
    Console.WriteLine("disagrees. No options.");
    return 0;
}
Console.WriteLine("Tutorial: shared/seeds/004 (误差反向传播), the 2-2-2 sigmoid/softmax network with cross-entropy, x = (0.5, 0.6),");
Console.WriteLine("t = (1, 0), η = 0.01. \"agrees\": ours is within one unit of the tutorial's last printed digit (the tutorial");
Console.WriteLine("rounds its intermediate values, so a2_2 = 0.6434 is its 0.644).");
int failures = 0;
float[] x = [0.5f, 0.6f];
float[] t = [1f, 0f];
const float eta = 0.01f;
float[] w1 = [0.1f, 0.2f, 0.3f, 0.4f], b1 = [0.1f, 0.2f], w2 = [0.7f, 0.8f, 0.9f, 1.0f], b2 = [0.1f, 0.2f];

var net = new TutorialNet();
Load(net.Parameters, w1, b1, w2, b2);
var hiddenZ = new HiddenZ();
Load(hiddenZ.Parameters, w1, b1);
var hidden = new Hidden();
Load(hidden.Parameters, w1, b1);

Console.WriteLine("Forward pass");
var z2 = new float[2];
hiddenZ.Forward(x, z2);
Show("z2_1 = 0.1·0.5 + 0.2·0.6 + 0.1", "0.27", z2[0]);
Show("z2_2 = 0.3·0.5 + 0.4·0.6 + 0.2", "0.59", z2[1]);
var a2 = new float[2];
hidden.Forward(x, a2);
Show("a2_1 = sigmoid(z2_1)", "0.567", a2[0]);
Show("a2_2 = sigmoid(z2_2)", "0.644", a2[1]);
var a3 = new float[2];
net.Forward(x, a3);
Show("a3_1 = softmax(z3)_1", "0.415", a3[0]);
Show("a3_2 = softmax(z3)_2", "0.585", a3[1]);
Show("L = −Σ t·log a3", "0.88", net.ComputeLoss(x, t));

Console.WriteLine("Backward pass (layout: W1[0..3], b1[4..5], W2[6..9], b2[10..11])");
var g = new float[TutorialNet.ParameterCount];
net.Backward(x, t, g);
string[] names = ["w_11", "w_12", "w_21", "w_22"];
string[] tutorialW2 = ["-0.332", "-0.377", "0.332", "0.377"], tutorialW1 = ["0.014", "0.017", "0.013", "0.016"];
for (int k = 0; k < 4; k++) Show($"∂L/∂{names[k]}(2)", tutorialW2[k], g[6 + k]);
for (int k = 0; k < 4; k++) Show($"∂L/∂{names[k]}(1)", tutorialW1[k], g[k]);

Console.WriteLine($"SGD step, η = {eta}");
net.TrainStep(x, t, eta);
string[] newW2 = ["0.703", "0.804", "0.897", "0.996"], newW1 = ["0.09986", "0.19983", "0.29987", "0.39984"];
for (int k = 0; k < 4; k++) Show($"{names[k]}(2) new", newW2[k], net.Parameters[6 + k]);
for (int k = 0; k < 4; k++) Show($"{names[k]}(1) new", newW1[k], net.Parameters[k]);
Show("L after the step", null, net.ComputeLoss(x, t));
Console.WriteLine(failures == 0 ? "Every value agrees with the tutorial." : $"{failures} value(s) disagree with the tutorial.");
return failures == 0 ? 0 : 1;

static void Load(Span<float> parameters, params float[][] parts)
{
    int offset = 0;
    foreach (var part in parts)
    {
        part.CopyTo(parameters[offset..]);
        offset += part.Length;
    }
}

// The tutorial's value as it prints it; ours agrees when it is within one unit of the tutorial's last digit: half a
// unit for its rounding of the value, half a unit more for its rounding of the values it was computed from.
void Show(string what, string? tutorial, float ours)
{
    string verdict = "";
    if (tutorial is not null)
    {
        int decimals = tutorial.Length - tutorial.IndexOf('.') - 1;
        bool agrees = Math.Abs(ours - double.Parse(tutorial, CultureInfo.InvariantCulture)) <= Math.Pow(10, -decimals);
        verdict = agrees ? "agrees" : "DIFFERS";
        if (!agrees) failures++;
    }
    Console.WriteLine($"  {what,-34} tutorial {tutorial ?? "-",8}   FixedNet {ours,12:F7}   {verdict}");
}

[Network(2, Loss = Loss.CrossEntropy)]
[Dense(2, Activation.Sigmoid)]
[Dense(2, Activation.Softmax)]
public partial class TutorialNet;

[Network(2)]
[Dense(2, Activation.Identity)]
public partial class HiddenZ;

[Network(2)]
[Dense(2, Activation.Sigmoid)]
public partial class Hidden;
