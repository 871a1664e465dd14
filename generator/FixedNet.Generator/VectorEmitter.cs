using System.Collections.Generic;
using FixedNet.Generator.Model;
using static FixedNet.Generator.Emitter;

namespace FixedNet.Generator;

/// <summary>
/// Code for loop networks: the network's passes written out layer by layer, each layer one call of a dense kernel of
/// FixedNet.Kernels.Dense over a struct that holds the layer's shape as constants (one per distinct shape), then its
/// activation's operator over the whole row. The kernels are written once in the runtime, over the vector width and
/// the shape; the JIT compiles each (width, shape) into its own machine code with constant loop bounds, so layers of
/// one shape share it and only the width the machine runs is compiled.
/// </summary>
internal static partial class VectorEmitter
{
    private const string Dense = "Dense";
    private const string Input = "MemoryMarshal.GetReference";

    public static void Emit(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        EmitShapes(w, model);
        w.Line("// Scratch, allocated once: a{l} = activations of layer l, d{l} = ∂L/∂z{l}, _z = pre-activation of the output layer"
            + (KeepsZ(model) ? ", z{l} = pre-activation of a hidden layer whose f′ reads z." : "."));
        for (int l = 0; l < model.Layers.Count; l++)
            w.Line("private readonly " + AlignedBuffer + " _a" + N(l) + " = new " + AlignedBuffer + "(" + N(model.Layers[l].Size) + "), _d" + N(l) + " = new " + AlignedBuffer + "(" + N(model.Layers[l].Size) + ")"
                + (HiddenKeepsZ(model, l) ? ", _z" + N(l) + " = new " + AlignedBuffer + "(" + N(model.Layers[l].Size) + ")" : string.Empty) + ";");
        for (int l = 0; l < model.Layers.Count; l++)
        {
            if (model.Layers[l].Dropout > 0f)
                w.Line("private readonly " + AlignedBuffer + " _r" + N(l) + " = new " + AlignedBuffer + "(" + N(model.Layers[l].Size) + "), _m" + N(l) + " = new " + AlignedBuffer + "(" + N(model.Layers[l].Size)
                    + "); // training: r = a·m after the dropout, m its mask (0 or 1/(1 − p))");
        }
        w.Line("private readonly " + AlignedBuffer + " _z = new " + AlignedBuffer + "(OutputSize);");
        if (ReusesLse(model)) w.Line("private float _lse; // log Σ_k e^(z_k) of the last forward pass, from the softmax, for the loss");
        w.Line();

        using (w.Block("private void ForwardCore(" + ReadOnlySpan + " input, " + Span + " output)"))
        {
            w.Line("RunForward(ref " + Input + "(input));");
            w.Line("_a" + N(last) + ".Span.CopyTo(output);");
        }
        w.Line();
        using (w.Block("private float LossCore(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target)"))
        {
            w.Line("RunForward(ref " + Input + "(input));");
            w.Line("return " + LossCall(model, "_z.Span", "_a" + N(last) + ".Span", "target", "_lse") + ";");
        }
        w.Line();
        w.Line("// Forward, loss, then from the output back: the gradient of each layer, ∂W += δ ⊗ input, then the delta of the layer below.");
        using (w.Block("private float AccumulateGradient(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target, " + Span + " gradient)"))
        {
            EmitStepStart(w, model);
            for (int l = last; l >= 0; l--)
            {
                EmitOuterProduct(w, model, l, "gradient[W" + N(l) + "]", "1f");
                if (l > 0) EmitBackpropagate(w, model, l);
            }
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// Like AccumulateGradient, but each layer's delta below is taken before its weights move: W −= η·δ ⊗ input.");
        using (w.Block("private float TrainCore(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target, float learningRate)"))
        {
            EmitStepStart(w, model);
            for (int l = last; l >= 0; l--)
            {
                if (l > 0) EmitBackpropagate(w, model, l);
                EmitOuterProduct(w, model, l, "_parameters.At(W" + N(l) + ")", "-learningRate");
            }
            w.Line("return loss;");
        }
        w.Line();
        EmitRunForward(w, model, training: false);
        if (HasDropout(model)) EmitRunForward(w, model, training: true);
        EmitOutputActivation(w, model);
        EmitOutputDelta(w, model);
        EmitBatch(w, model);
    }

    /// <summary>The struct of a layer's shape, as the kernel calls name it.</summary>
    internal static string Shape(LayerModel layer) => "Shape" + N(layer.Inputs) + "x" + N(layer.Size);

    internal static void EmitShapes(SourceWriter w, NetworkModel model)
    {
        w.Line("// Layer shapes, as constants the kernels are compiled for: layers of one shape share one struct and its machine code.");
        var seen = new HashSet<string>();
        foreach (var layer in model.Layers)
        {
            if (!seen.Add(Shape(layer))) continue;
            w.Line("private readonly struct " + Shape(layer) + " : IDenseShape { public static int Inputs => " + N(layer.Inputs)
                + "; public static int Outputs => " + N(layer.Size) + "; }");
        }
        w.Line();
    }

    private static void EmitStepStart(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        w.Line("ref float x = ref " + Input + "(input);");
        w.Line((HasDropout(model) ? "RunTrainingForward" : "RunForward") + "(ref x);");
        w.Line("float loss = " + LossCall(model, "_z.Span", "_a" + N(last) + ".Span", "target", "_lse") + ";");
        w.Line("OutputDelta(_z.Span, _a" + N(last) + ".Span, target, _d" + N(last) + ".Span);");
    }

    // The input of layer l: in training, the layer below's outputs after its dropout (r), if it has one.
    private static string InputRef(NetworkModel model, int l, bool training) =>
        l == 0 ? "x" : (training && model.Layers[l - 1].Dropout > 0f ? "_r" : "_a") + N(l - 1) + ".Reference";

    private static string InputName(NetworkModel model, int l) => l == 0 ? "x" : (model.Layers[l - 1].Dropout > 0f ? "r" : "a") + N(l - 1);

    // m[j, i] += c·d_j·input_i (and the biases): the gradient (c = 1) or an SGD step (c = −η).
    private static void EmitOuterProduct(SourceWriter w, NetworkModel model, int l, string m, string c)
    {
        var layer = model.Layers[l];
        // δ_j = 0 for every inactive ReLU unit: its row adds nothing and is skipped (not worth a test for one unit or at the output).
        bool skip = OperatorTable.Of(layer.Activation).SparseDelta && l < model.Layers.Count - 1 && layer.Size > 1;
        string product = "d" + N(l) + " ⊗ " + InputName(model, l);
        w.Line(Dense + ".AddOuterProduct<" + Shape(layer) + ">(ref " + m + ", " + c + ", ref _d" + N(l) + ".Reference, ref " + InputRef(model, l, training: true) + ", skipZeroDeltas: " + (skip ? "true" : "false")
            + "); // " + (c == "1f" ? "∂W" + N(l) + " += " + product : "W" + N(l) + " −= η·" + product));
    }

    // d{l−1} = (W{l}ᵀ·d{l})·f′(z{l−1}).
    private static void EmitBackpropagate(SourceWriter w, NetworkModel model, int l)
    {
        var below = model.Layers[l - 1];
        w.Line(Dense + ".Backpropagate<" + Shape(model.Layers[l]) + ">(ref _parameters.At(W" + N(l) + "), ref _d" + N(l) + ".Reference, ref _d" + N(l - 1) + ".Reference); // d" + N(l - 1) + " = W" + N(l) + "ᵀ·d" + N(l));
        EmitMultiplyDerivative(w, below.Activation, "_z" + N(l - 1) + ".Reference", "_a" + N(l - 1) + ".Reference", "_d" + N(l - 1) + ".Reference", N(below.Size));
        if (below.Dropout > 0f)
            w.Line(DropoutOperator + ".Multiply(ref _m" + N(l - 1) + ".Reference, ref _d" + N(l - 1) + ".Reference, " + N(below.Size) + "); // back through the dropout: d" + N(l - 1) + " ·= m" + N(l - 1));
    }

    private static void EmitRunForward(SourceWriter w, NetworkModel model, bool training)
    {
        int last = model.Layers.Count - 1;
        if (training)
            w.Line("// RunForward with the dropouts of training: after each, the next layer reads r = a·m; then the next sample's masks.");
        else
            w.Line("// x → a0 → … → a" + N(last) + ": z = W·x + b by the layer's kernel, then a = f(z) by the activation's operator over the whole row; the output layer's z is kept in _z for the loss."
                + (HasDropout(model) ? " Dropout is the identity here." : string.Empty));
        using (w.Block("private void " + (training ? "RunTrainingForward" : "RunForward") + "(ref float x)"))
        {
            for (int l = 0; l < model.Layers.Count; l++)
            {
                var layer = model.Layers[l];
                string output = l == last ? "_z" : HiddenKeepsZ(model, l) ? "_z" + N(l) : "_a" + N(l);
                w.Line(Dense + ".Forward<" + Shape(layer) + ">(ref _parameters.At(W" + N(l) + "), ref " + InputRef(model, l, training) + ", ref " + output + ".Reference);");
                if (l == last) w.Line((ReusesLse(model) ? "_lse = " : string.Empty) + "OutputActivation(_z.Span, _a" + N(l) + ".Span);");
                else EmitApply(w, layer.Activation, output + ".Reference", "_a" + N(l) + ".Reference", N(layer.Size));
                if (training && layer.Dropout > 0f)
                    w.Line(DropoutOperator + ".Apply(ref _a" + N(l) + ".Reference, ref _r" + N(l) + ".Reference, ref _m" + N(l) + ".Reference, 1, " + N(layer.Size) + ", " + Float(layer.Dropout) + ", _dropoutState, " + N(l)
                        + "); // r = a·m: m = 1/(1 − p) with probability 1 − p, else 0");
            }
            if (training) w.Line("_dropoutState++;");
        }
        w.Line();
    }

    /// <summary>a = f(z) over <paramref name="count"/> values through the activation's operator (nothing for Identity).</summary>
    internal static void EmitApply(SourceWriter w, ActivationKind activation, string z, string a, string count)
    {
        if (activation == ActivationKind.Identity) return;
        w.Line(OperatorTable.Activations + ".Apply<" + OperatorTable.OperatorType(activation) + ">(ref " + z + ", ref " + a + ", " + count + "); // " + ActivationFormula(activation));
    }

    /// <summary>d ·= f′(z, a) over <paramref name="count"/> values (nothing for Identity); z is a itself where f′ does not read z.</summary>
    internal static void EmitMultiplyDerivative(SourceWriter w, ActivationKind activation, string z, string a, string d, string count)
    {
        if (activation == ActivationKind.Identity) return;
        w.Line(OperatorTable.Activations + ".MultiplyDerivative<" + OperatorTable.OperatorType(activation) + ">(ref " + OperatorTable.DerivativeZ(activation, z, a) + ", ref " + a + ", ref " + d + ", " + count
            + "); // f′ = " + DerivativeFormula(activation));
    }

    /// <summary>True when hidden layer <paramref name="l"/> keeps its pre-activation z: its activation's f′ reads z.</summary>
    internal static bool HiddenKeepsZ(NetworkModel model, int l) => l < model.Layers.Count - 1 && OperatorTable.Of(model.Layers[l].Activation).DerivativeNeedsZ;

    private static bool KeepsZ(NetworkModel model)
    {
        for (int l = 0; l < model.Layers.Count - 1; l++)
        {
            if (HiddenKeepsZ(model, l)) return true;
        }
        return false;
    }

    /// <summary>The loss of one sample through the loss operator.</summary>
    internal static string LossCall(NetworkModel model, string z, string o, string t, string lse) =>
        OperatorTable.Operators + "Losses.Loss<" + OperatorTable.OperatorType(model.Loss) + ">(" + z + ", " + o + ", " + t + ", " + (ReusesLse(model) ? lse : "0f") + ")";

    // Cross-entropy always follows a softmax (FN diagnostics enforce it); the softmax's log-sum-exp is passed on, not recomputed.
    internal static bool ReusesLse(NetworkModel model) => OperatorTable.Of(model.Loss).NeedsLogSumExp;

    internal static void EmitOutputActivation(SourceWriter w, NetworkModel model)
    {
        var output = model.Layers[model.Layers.Count - 1];
        w.Line("// Output activation: " + ActivationFormula(output.Activation, "o"));
        bool softmax = output.Activation == ActivationKind.Softmax;
        if (softmax && !model.Frozen) w.Line("// Returns lse = log Σ_j e^(z_j), which the cross-entropy needs: log o_k = z_k − lse.");
        using (w.Block("private static " + (softmax ? "float" : "void") + " OutputActivation(" + ReadOnlySpan + " z, " + Span + " o)"))
        {
            if (softmax) w.Line("return " + OperatorTable.Operators + "Softmax.Forward(z, o); // shifted by max z, which cancels and prevents overflow");
            else if (output.Activation == ActivationKind.Identity) w.Line("z.CopyTo(o);");
            else EmitApply(w, output.Activation, Input + "(z)", Input + "(o)", "OutputSize");
        }
        w.Line();
    }

    private static void EmitOutputDelta(SourceWriter w, NetworkModel model)
    {
        var output = model.Layers[model.Layers.Count - 1];
        var loss = OperatorTable.Of(model.Loss);
        w.Line("// Output delta: " + loss.Delta + (loss.DeltaIsFused ? "." : ", then through the output activation."));
        using (w.Block("private static void OutputDelta(" + ReadOnlySpan + " z, " + ReadOnlySpan + " o, " + ReadOnlySpan + " t, " + Span + " d)"))
        {
            w.Line(OperatorTable.Operators + "Losses.Delta<" + OperatorTable.OperatorType(model.Loss) + ">(o, t, d);");
            if (!loss.DeltaIsFused)
            {
                if (output.Activation == ActivationKind.Softmax)
                    w.Line(OperatorTable.Operators + "Softmax.Backward(o, d, d); // δ_k = o_k·(g_k − Σ_j g_j·o_j)");
                else
                    EmitMultiplyDerivative(w, output.Activation, Input + "(z)", Input + "(o)", Input + "(d)", "OutputSize");
            }
        }
        w.Line();
    }
}
