using System.Collections.Generic;
using System.Linq;
using FixedNet.Generator.Model;
using static FixedNet.Generator.Emitter;

namespace FixedNet.Generator;

/// <summary>
/// Loop code for larger networks: one method per layer and phase, Vector256 or Vector512 fused multiply-adds over loops
/// whose bounds are constants, no bounds checks (lengths are validated once at the public entry points).
/// </summary>
internal sealed partial class VectorEmitter
{
    // The same kernels are emitted once per vector width; a dispatcher per kernel picks one at run time (FixedNet.Runtime.Simd):
    // the widest the hardware accelerates, so a Native AOT build for the x64 baseline or an Arm64 machine runs the 128-bit
    // kernels instead of emulating wider ones in software. SSE, AVX2 and AdvSimd code keeps 12 accumulators per tile
    // (x64 has 16 vector registers), AVX-512 24 (32 registers).
    // Tiles: Z = X·Wᵀ in samples × rows, ∂W = Δᵀ·X in rows × vectors of columns, Δ·W in samples × vectors of columns.
    // The 512-bit shapes were picked by measuring four candidates on an AVX-512 Xeon (benchmarks/README.md).
    private static readonly VectorEmitter V128 = new(4, 128, forward: (4, 3), outer: (4, 3), back: (4, 3));
    private static readonly VectorEmitter V256 = new(8, 256, forward: (4, 3), outer: (4, 3), back: (4, 3));
    private static readonly VectorEmitter V512 = new(16, 512, forward: (8, 3), outer: (4, 6), back: (8, 3));

    private const int ForwardRows = 4;      // rows of W per pass in the forward dot products: each load of x feeds 4 FMAs
    private const int BackwardVectors = 4;  // columns per pass in Wᵀ·d: 4 vectors kept in registers

    private readonly int Lanes;             // floats per vector
    private readonly string Vector;         // global::System.Runtime.Intrinsics.Vector256 or Vector512
    private readonly string VectorOfFloat;  // …<float>
    private readonly string Suffix;         // _V256 or _V512, appended to kernel names
    private readonly int TileSamples, TileRows, OuterRows, OuterVectors, BackSamples, BackVectors;

    private VectorEmitter(int lanes, int bits, (int Samples, int Rows) forward, (int Rows, int Vectors) outer, (int Samples, int Vectors) back)
    {
        Lanes = lanes;
        Vector = "global::System.Runtime.Intrinsics.Vector" + N(bits);
        VectorOfFloat = Vector + "<float>";
        Suffix = "_V" + N(bits);
        (TileSamples, TileRows) = forward;
        (OuterRows, OuterVectors) = outer;
        (BackSamples, BackVectors) = back;
    }

    public static void Emit(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        w.Line("// Scratch, allocated once: a{l} = activations of layer l, d{l} = ∂L/∂z{l}, _z = pre-activation of the output layer"
            + (KeepsZ(model) ? ", z{l} = pre-activation of a hidden layer whose f′ reads z." : "."));
        for (int l = 0; l < model.Layers.Count; l++)
            w.Line("private readonly " + AlignedBuffer + " _a" + N(l) + " = new " + AlignedBuffer + "(" + N(model.Layers[l].Size) + "), _d" + N(l) + " = new " + AlignedBuffer + "(" + N(model.Layers[l].Size) + ")"
                + (HiddenKeepsZ(model, l) ? ", _z" + N(l) + " = new " + AlignedBuffer + "(" + N(model.Layers[l].Size) + ")" : string.Empty) + ";");
        w.Line("private readonly " + AlignedBuffer + " _z = new " + AlignedBuffer + "(OutputSize);");
        if (ReusesLse(model)) w.Line("private float _lse; // log Σ_k e^(z_k) of the last forward pass, from the softmax, for the loss");
        w.Line();

        using (w.Block("private void ForwardCore(" + ReadOnlySpan + " input, " + Span + " output)"))
        {
            w.Line("RunForward(ref " + Marshal + ".GetReference(input));");
            w.Line("_a" + N(last) + ".Span.CopyTo(output);");
        }
        w.Line();
        using (w.Block("private float LossCore(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target)"))
        {
            w.Line("RunForward(ref " + Marshal + ".GetReference(input));");
            w.Line("return " + LossCall(model, "_z.Span", "_a" + N(last) + ".Span", "target", "_lse") + ";");
        }
        w.Line();
        w.Line("// Forward, loss, then from the output back: gradient of each layer (δ ⊗ input), then the delta of the layer below.");
        using (w.Block("private float AccumulateGradient(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target, " + Span + " gradient)"))
        {
            w.Line("ref float x = ref " + Marshal + ".GetReference(input);");
            w.Line("ref float g = ref " + Marshal + ".GetReference(gradient);");
            w.Line("RunForward(ref x);");
            w.Line("float loss = " + LossCall(model, "_z.Span", "_a" + N(last) + ".Span", "target", "_lse") + ";");
            w.Line("OutputDelta(_z.Span, _a" + N(last) + ".Span, target, _d" + N(last) + ".Span);");
            for (int l = last; l >= 0; l--)
            {
                w.Line("AddOuterProduct" + N(l) + "(ref " + Unsafe + ".Add(ref g, W" + N(l) + "), 1f, ref " + InputRef(l) + ");");
                if (l > 0) w.Line("Backpropagate" + N(l) + "();");
            }
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// Like AccumulateGradient, but each layer's delta below is taken before its weights move: W −= η·δ ⊗ input.");
        using (w.Block("private float TrainCore(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target, float learningRate)"))
        {
            w.Line("ref float x = ref " + Marshal + ".GetReference(input);");
            w.Line("ref float p = ref _parameters.Reference;");
            w.Line("RunForward(ref x);");
            w.Line("float loss = " + LossCall(model, "_z.Span", "_a" + N(last) + ".Span", "target", "_lse") + ";");
            w.Line("OutputDelta(_z.Span, _a" + N(last) + ".Span, target, _d" + N(last) + ".Span);");
            for (int l = last; l >= 0; l--)
            {
                if (l > 0) w.Line("Backpropagate" + N(l) + "();");
                w.Line("AddOuterProduct" + N(l) + "(ref " + Unsafe + ".Add(ref p, W" + N(l) + "), -learningRate, ref " + InputRef(l) + ");");
            }
            w.Line("return loss;");
        }
        w.Line();
        EmitRunForward(w, model);
        EmitOutputActivation(w, model);
        EmitOutputDelta(w, model);
        EmitBatch(w, model);
        EmitDispatchers(w, model);
        V128.EmitKernels(w, model);
        V256.EmitKernels(w, model);
        V512.EmitKernels(w, model);
    }

    private const string UseVector512 = "global::FixedNet.Runtime.Simd.UseVector512";
    private const string UseVector256 = "global::FixedNet.Runtime.Simd.UseVector256";
    private const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";

    // One dispatcher per kernel. Simd.UseVector512 and UseVector256 are static readonly fields, so the JIT folds the tests away.
    private static void EmitDispatchers(SourceWriter w, NetworkModel model)
    {
        w.Line("// ---- Kernels: each one below comes in a Vector128 (_V128), a Vector256 (_V256) and a Vector512 (_V512) version ----");
        w.Line("// global::FixedNet.Runtime.Simd picks the widest the hardware accelerates unless configured otherwise; it is read once, so the JIT drops the other branches.");
        for (int l = 0; l < model.Layers.Count; l++)
        {
            EmitDispatcher(w, "static ", "DenseForward" + N(l), "ref float w, ref float x, ref float y", "ref w, ref x, ref y");
            EmitDispatcher(w, string.Empty, "AddOuterProduct" + N(l), "ref float m, float c, ref float x", "ref m, c, ref x");
            if (l > 0) EmitDispatcher(w, string.Empty, "Backpropagate" + N(l), string.Empty, string.Empty);
            EmitDispatcher(w, "static ", "BatchDenseForward" + N(l), "ref float w, ref float x, ref float y, int n", "ref w, ref x, ref y, n");
            EmitDispatcher(w, string.Empty, "BatchOuterProduct" + N(l), "ref float m, float c, ref float x, int n", "ref m, c, ref x, n");
            if (l > 0) EmitDispatcher(w, string.Empty, "BatchBackpropagate" + N(l), "int n", "n");
        }
        w.Line();
    }

    private static void EmitDispatcher(SourceWriter w, string modifier, string name, string parameters, string arguments)
    {
        w.Line(Inline);
        w.Line("private " + modifier + "void " + name + "(" + parameters + ") { if (" + UseVector512 + ") " + name + "_V512(" + arguments + "); else if (" + UseVector256 + ") " + name + "_V256(" + arguments + "); else " + name + "_V128(" + arguments + "); }");
    }

    private void EmitKernels(SourceWriter w, NetworkModel model)
    {
        w.Line();
        w.Line("// ---- " + Vector.Substring(Vector.LastIndexOf('.') + 1) + " kernels (" + N(Lanes) + " floats per vector) ----");
        w.Line();
        for (int l = 0; l < model.Layers.Count; l++)
        {
            EmitDenseForward(w, model, l);
            EmitOuterProduct(w, model, l);
            if (l > 0) EmitBackpropagate(w, model, l);
        }
        for (int l = 0; l < model.Layers.Count; l++)
        {
            EmitBatchForward(w, model, l);
            EmitBatchOuterProduct(w, model, l);
            if (l > 0) EmitBatchBackpropagate(w, model, l);
        }
    }

    private const string Sum4 = "global::FixedNet.Runtime.VectorMath.Sum4";

    /// <summary>float target = Σ lanes of source, for each pair: four at a time with one shared reduction, the rest one by one.</summary>
    private void EmitSums(SourceWriter w, IReadOnlyList<(string Source, string Target)> pairs)
    {
        int k = 0;
        for (; k + 4 <= pairs.Count; k += 4)
        {
            string sums = "sum" + N(k / 4);
            w.Line("global::System.Runtime.Intrinsics.Vector128<float> " + sums + " = " + Sum4 + "(" + pairs[k].Source + ", " + pairs[k + 1].Source + ", "
                + pairs[k + 2].Source + ", " + pairs[k + 3].Source + "); // [Σ" + pairs[k].Source + ", …, Σ" + pairs[k + 3].Source + "]");
            for (int q = 0; q < 4; q++) w.Line("float " + pairs[k + q].Target + " = " + sums + "[" + N(q) + "];");
        }
        for (; k < pairs.Count; k++) w.Line("float " + pairs[k].Target + " = " + Vector + ".Sum(" + pairs[k].Source + ");");
    }

    private static string InputRef(int l) => l == 0 ? "x" : "_a" + N(l - 1) + ".Reference";

    private static string At(string reference, string index) => Unsafe + ".Add(ref " + reference + ", " + index + ")";

    private string Load(string reference, string index) => Vector + ".LoadUnsafe(ref " + reference + ", (nuint)(" + index + "))";

    private string Store(string value, string reference, string index) => Vector + ".StoreUnsafe(" + value + ", ref " + reference + ", (nuint)(" + index + "))";

    // a·b + c: fused where the hardware has FMA, else a multiply and an add (never a software-emulated fused operation,
    // which a Native AOT build for the x64 baseline, without FMA, would get from FusedMultiplyAdd).
    private string Fma(string a, string b, string c) => Vector + ".MultiplyAddEstimate(" + a + ", " + b + ", " + c + ")";

    private static void EmitRunForward(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        w.Line("// x → a0 → … → a" + N(last) + ": z = W·x + b by the layer's kernel, then a = f(z) by the activation's operator over the whole row; the output layer's z is kept in _z for the loss.");
        using (w.Block("private void RunForward(ref float x)"))
        {
            w.Line("ref float p = ref _parameters.Reference;");
            for (int l = 0; l < model.Layers.Count; l++)
            {
                string output = l == last ? "_z" : HiddenKeepsZ(model, l) ? "_z" + N(l) : "_a" + N(l);
                w.Line("DenseForward" + N(l) + "(ref " + Unsafe + ".Add(ref p, W" + N(l) + "), ref " + InputRef(l) + ", ref " + output + ".Reference);");
                if (l == last) w.Line((ReusesLse(model) ? "_lse = " : string.Empty) + "OutputActivation(_z.Span, _a" + N(l) + ".Span);");
                else EmitApply(w, model.Layers[l].Activation, output + ".Reference", "_a" + N(l) + ".Reference", N(model.Layers[l].Size));
            }
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


    private static void EmitOutputActivation(SourceWriter w, NetworkModel model)
    {
        var output = model.Layers[model.Layers.Count - 1];
        w.Line("// Output activation: " + ActivationFormula(output.Activation, "o"));
        bool softmax = output.Activation == ActivationKind.Softmax;
        if (softmax) w.Line("// Returns lse = log Σ_j e^(z_j), which the cross-entropy needs: log o_k = z_k − lse.");
        using (w.Block("private static " + (softmax ? "float" : "void") + " OutputActivation(" + ReadOnlySpan + " z, " + Span + " o)"))
        {
            if (softmax) w.Line("return " + OperatorTable.Operators + "Softmax.Forward(z, o); // shifted by max z, which cancels and prevents overflow");
            else if (output.Activation == ActivationKind.Identity) w.Line("z.CopyTo(o);");
            else EmitApply(w, output.Activation, Marshal + ".GetReference(z)", Marshal + ".GetReference(o)", "OutputSize");
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
                    EmitMultiplyDerivative(w, output.Activation, Marshal + ".GetReference(z)", Marshal + ".GetReference(o)", Marshal + ".GetReference(d)", "OutputSize");
            }
        }
        w.Line();
    }

    private void EmitDenseForward(SourceWriter w, NetworkModel model, int l)
    {
        var layer = model.Layers[l];
        bool last = l == model.Layers.Count - 1;
        int inputs = layer.Inputs, size = layer.Size;
        int vectorEnd = inputs / Lanes * Lanes;
        string bias = N(layer.WeightCount);
        w.Line("/// <summary>Layer " + N(l) + ", dense " + N(inputs) + " → " + N(size) + ": y = W" + N(l) + "·x + b" + N(l) + " (RunForward applies the activation).</summary>");
        w.Line("/// <remarks><paramref name=\"w\"/> points at W" + N(l) + " [" + N(size) + " × " + N(inputs) + "], followed by b" + N(l) + " [" + N(size) + "].</remarks>");
        using (w.Block("private static void DenseForward" + N(l) + Suffix + "(ref float w, ref float x, ref float y)"))
        {
            int blocked = size / ForwardRows * ForwardRows;
            if (blocked > 0)
            {
                w.Line("// " + N(ForwardRows) + " rows at a time: one load of x feeds " + N(ForwardRows) + " fused multiply-adds.");
                EmitDotRows(w, 0, blocked, ForwardRows, inputs, vectorEnd, bias);
            }
            if (blocked < size) EmitDotRows(w, blocked, size, 1, inputs, vectorEnd, bias);
        }
        w.Line();
    }

    private void EmitDotRows(SourceWriter w, int start, int end, int rows, int inputs, int vectorEnd, string bias)
    {
        using (w.Block("for (int j = " + N(start) + "; j < " + N(end) + "; j += " + N(rows) + ")"))
        {
            w.Line("ref float row = ref " + At("w", "j * " + N(inputs)) + ";");
            if (vectorEnd > 0)
            {
                for (int r = 0; r < rows; r++) w.Line(VectorOfFloat + " s" + N(r) + " = " + VectorOfFloat + ".Zero;");
                using (w.Block("for (nuint i = 0; i < " + N(vectorEnd) + "; i += " + N(Lanes) + ")"))
                {
                    w.Line(VectorOfFloat + " xi = " + Load("x", "i") + ";");
                    for (int r = 0; r < rows; r++)
                        w.Line("s" + N(r) + " = " + Fma(Load("row", r == 0 ? "i" : "i + " + N(r * inputs)), "xi", "s" + N(r)) + ";");
                }
                EmitSums(w, Enumerable.Range(0, rows).Select(r => ("s" + N(r), "y" + N(r))).ToList());
            }
            else
            {
                for (int r = 0; r < rows; r++) w.Line("float y" + N(r) + " = 0f;");
            }
            if (vectorEnd < inputs)
            {
                using (w.Block("for (int i = " + N(vectorEnd) + "; i < " + N(inputs) + "; i++)"))
                {
                    w.Line("float xs = " + At("x", "i") + ";");
                    for (int r = 0; r < rows; r++)
                        w.Line("y" + N(r) + " += " + At("row", r == 0 ? "i" : "i + " + N(r * inputs)) + " * xs;");
                }
            }
            for (int r = 0; r < rows; r++)
            {
                string j = r == 0 ? "j" : "j + " + N(r);
                w.Line(At("y", j) + " = y" + N(r) + " + " + At("w", bias + " + " + j) + ";");
            }
        }
    }

    private void EmitOuterProduct(SourceWriter w, NetworkModel model, int l)
    {
        var layer = model.Layers[l];
        int inputs = layer.Inputs, size = layer.Size;
        int vectorEnd = inputs / Lanes * Lanes;
        w.Line("/// <summary>Layer " + N(l) + ": m[j, i] += c·d" + N(l) + "_j·x_i and m_b[j] += c·d" + N(l)
            + "_j, i.e. the gradient δ ⊗ x (c = 1, m = gradient) or an SGD step (c = −η, m = parameters).</summary>");
        using (w.Block("private void AddOuterProduct" + N(l) + Suffix + "(ref float m, float c, ref float x)"))
        {
            w.Line("ref float d = ref _d" + N(l) + ".Reference;");
            using (w.Block("for (int j = 0; j < " + N(size) + "; j++)"))
            {
                w.Line("float cd = c * " + At("d", "j") + ";");
                if (OperatorTable.Of(layer.Activation).SparseDelta && l < model.Layers.Count - 1 && size > 1)
                    w.Line("if (cd == 0f) continue; // an inactive ReLU unit (δ_j = 0) adds nothing to its row: often half the rows");
                w.Line("ref float row = ref " + At("m", "j * " + N(inputs)) + ";");
                if (vectorEnd > 0)
                {
                    w.Line(VectorOfFloat + " v = " + Vector + ".Create(cd);");
                    using (w.Block("for (nuint i = 0; i < " + N(vectorEnd) + "; i += " + N(Lanes) + ")"))
                    {
                        w.Line(Store(Fma("v", Load("x", "i"), Load("row", "i")), "row", "i") + ";");
                    }
                }
                if (vectorEnd < inputs)
                    w.LoopLine("for (int i = " + N(vectorEnd) + "; i < " + N(inputs) + "; i++)", At("row", "i") + " += cd * " + At("x", "i") + ";");
                w.Line(At("m", N(layer.WeightCount) + " + j") + " += cd;");
            }
        }
        w.Line();
    }

    private void EmitBackpropagate(SourceWriter w, NetworkModel model, int l)
    {
        var layer = model.Layers[l];
        var below = model.Layers[l - 1];
        int inputs = layer.Inputs, size = layer.Size;
        int vectorEnd = inputs / Lanes * Lanes;
        int chunk = BackwardVectors * Lanes;
        int chunkEnd = inputs / chunk * chunk;
        w.Line("/// <summary>Back through layer " + N(l) + ": d" + N(l - 1) + "_i = (Σ_j W" + N(l) + "[j, i]·d" + N(l) + "_j)·f′(z" + N(l - 1) + "_i), f′ = "
            + DerivativeFormula(below.Activation) + ".</summary>");
        using (w.Block("private void Backpropagate" + N(l) + Suffix + "()"))
        {
            w.Line("ref float w = ref " + At("_parameters.Reference", "W" + N(l)) + ";");
            w.Line("ref float d = ref _d" + N(l) + ".Reference;");
            w.Line("ref float below = ref _d" + N(l - 1) + ".Reference;");
            if (chunkEnd > 0)
            {
                w.Line("// " + N(chunk) + " columns at a time, accumulated in registers over all " + N(size) + " rows.");
                using (w.Block("for (int i = 0; i < " + N(chunkEnd) + "; i += " + N(chunk) + ")"))
                {
                    for (int v = 0; v < BackwardVectors; v++) w.Line(VectorOfFloat + " s" + N(v) + " = " + VectorOfFloat + ".Zero;");
                    using (w.Block("for (int j = 0; j < " + N(size) + "; j++)"))
                    {
                        w.Line(VectorOfFloat + " dj = " + Vector + ".Create(" + At("d", "j") + ");");
                        w.Line("ref float row = ref " + At("w", "j * " + N(inputs) + " + i") + ";");
                        for (int v = 0; v < BackwardVectors; v++)
                            w.Line("s" + N(v) + " = " + Fma(Load("row", N(v * Lanes)), "dj", "s" + N(v)) + ";");
                    }
                    for (int v = 0; v < BackwardVectors; v++)
                        w.Line(Store("s" + N(v), "below", v == 0 ? "i" : "i + " + N(v * Lanes)) + ";");
                }
            }
            if (chunkEnd < vectorEnd)
            {
                using (w.Block("for (int i = " + N(chunkEnd) + "; i < " + N(vectorEnd) + "; i += " + N(Lanes) + ")"))
                {
                    w.Line(VectorOfFloat + " s0 = " + VectorOfFloat + ".Zero;");
                    w.LoopLine("for (int j = 0; j < " + N(size) + "; j++)", "s0 = " + Fma(Load("w", "j * " + N(inputs) + " + i"), Vector + ".Create(" + At("d", "j") + ")", "s0") + ";");
                    w.Line(Store("s0", "below", "i") + ";");
                }
            }
            if (vectorEnd < inputs)
            {
                using (w.Block("for (int i = " + N(vectorEnd) + "; i < " + N(inputs) + "; i++)"))
                {
                    w.Line("float s = 0f;");
                    w.LoopLine("for (int j = 0; j < " + N(size) + "; j++)", "s += " + At("w", "j * " + N(inputs) + " + i") + " * " + At("d", "j") + ";");
                    w.Line(At("below", "i") + " = s;");
                }
            }
            EmitMultiplyDerivative(w, below.Activation, "_z" + N(l - 1) + ".Reference", "_a" + N(l - 1) + ".Reference", "below", N(inputs));
        }
        w.Line();
    }
}
