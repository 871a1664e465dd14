using System.Text;
using FixedNet.Generator.Model;
using static FixedNet.Generator.Emitter;

namespace FixedNet.Generator;

/// <summary>
/// Straight-line code for small networks: every input, pre-activation, activation and delta is a local, every
/// parameter index a constant. Variable names: <c>x{i}</c> inputs, <c>z{l}_{j}</c> / <c>a{l}_{j}</c> pre-activation and
/// activation of unit j of layer l, <c>d{l}_{j}</c> its delta ∂L/∂z, <c>t{k}</c> targets.
/// </summary>
internal static class UnrolledEmitter
{
    public static void Emit(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        w.Line("// Forward pass, written out unit by unit.");
        using (w.Block("private void ForwardCore(" + ReadOnlySpan + " input, " + Span + " output)"))
        {
            EmitParameterSpan(w, writable: false);
            EmitInputs(w, model);
            EmitForward(w, model);
            for (int k = 0; k < model.OutputSize; k++) w.Line("output[" + N(k) + "] = " + A(last, k) + ";");
        }
        w.Line();
        w.Line("// Forward pass and loss.");
        using (w.Block("private float LossCore(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target)"))
        {
            EmitParameterSpan(w, writable: false);
            EmitInputs(w, model);
            EmitForward(w, model);
            EmitTargets(w, model);
            EmitLoss(w, model);
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// Forward pass, the output and the loss.");
        using (w.Block("private float ForwardLossCore(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target, " + Span + " output)"))
        {
            EmitParameterSpan(w, writable: false);
            EmitInputs(w, model);
            EmitForward(w, model);
            for (int k = 0; k < model.OutputSize; k++) w.Line("output[" + N(k) + "] = " + A(last, k) + ";");
            EmitTargets(w, model);
            EmitLoss(w, model);
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// Batches of outputs, one sample at a time; with withLoss, also the summed loss.");
        using (w.Block("private float ForwardBatchCore(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, " + Span + " outputs, int batchSize, bool withLoss)"))
        {
            w.Line("float loss = 0f;");
            using (w.Block("for (int s = 0; s < batchSize; s++)"))
            {
                w.Line(ReadOnlySpan + " input = inputs.Slice(s * InputSize, InputSize);");
                w.Line(Span + " output = outputs.Slice(s * OutputSize, OutputSize);");
                w.Line("if (withLoss) loss += ForwardLossCore(input, targets.Slice(s * OutputSize, OutputSize), output);");
                w.Line("else ForwardCore(input, output);");
            }
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// Forward pass, loss, deltas by the chain rule, then gradient += ∂L/∂θ.");
        using (w.Block("private float AccumulateGradient(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target, " + Span + " gradient)"))
        {
            EmitParameterSpan(w, writable: false);
            EmitInputs(w, model);
            EmitForward(w, model);
            EmitTargets(w, model);
            EmitLoss(w, model);
            EmitDeltas(w, model);
            EmitParameterUpdates(w, model, update: false);
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// Forward pass, loss and all deltas (with the old weights), then θ ← θ − η·∂L/∂θ.");
        using (w.Block("private float TrainCore(" + ReadOnlySpan + " input, " + ReadOnlySpan + " target, float learningRate)"))
        {
            EmitParameterSpan(w, writable: true);
            EmitInputs(w, model);
            EmitForward(w, model);
            EmitTargets(w, model);
            EmitLoss(w, model);
            EmitDeltas(w, model);
            EmitParameterUpdates(w, model, update: true);
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// Mini-batches, one sample at a time: the unrolled code keeps everything in registers already.");
        using (w.Block("private float BackwardBatchCore(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize, " + Span + " gradient)"))
        {
            w.Line("float loss = AccumulateBatch(inputs, targets, batchSize);");
            w.Line("// gradient += (1/m)·Σ ∂L/∂θ");
            w.Line(VectorLoops + ".MultiplyAdd(_gradient.Span, 1f / batchSize, gradient, gradient);");
            w.Line("return loss;");
        }
        w.Line();
        using (w.Block("private float TrainBatchCore(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize, float learningRate)"))
        {
            w.Line("float loss = AccumulateBatch(inputs, targets, batchSize);");
            w.Line("// θ ← θ − (η/m)·Σ ∂L/∂θ");
            w.Line(VectorLoops + ".MultiplyAdd(_gradient.Span, -learningRate / batchSize, _parameters.Span, _parameters.Span);");
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// Σ over the batch of each sample's gradient, into _gradient; returns the mean loss.");
        using (w.Block("private float AccumulateBatch(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize)"))
        {
            w.Line("_gradient.Span.Clear();");
            w.Line("float sum = 0f;");
            using (w.Block("for (int s = 0; s < batchSize; s++)"))
            {
                w.Line("sum += AccumulateGradient(inputs.Slice(s * InputSize, InputSize), targets.Slice(s * OutputSize, OutputSize), _gradient.Span);");
            }
            w.Line("return sum / batchSize;");
        }
    }

    private static string X(int l, int i) => l == 0 ? "x" + N(i) : A(l - 1, i);

    internal static string A(int l, int j) => "a" + N(l) + "_" + N(j);

    private static string Z(int l, int j) => "z" + N(l) + "_" + N(j);

    private static string D(int l, int j) => "d" + N(l) + "_" + N(j);

    // p = the parameters, as a span whose length is the constant ParameterCount, so indexing it by constants needs no bounds check.
    private static void EmitParameterSpan(SourceWriter w, bool writable) =>
        w.Line((writable ? Span : ReadOnlySpan) + " p = " + Marshal + (writable ? ".CreateSpan" : ".CreateReadOnlySpan")
            + "(ref _parameters.Reference, ParameterCount); // a constant length: p[k] needs no bounds check");

    internal static void EmitInputs(SourceWriter w, NetworkModel model)
    {
        for (int i = 0; i < model.InputSize; i++) w.Line("float x" + N(i) + " = input[" + N(i) + "];");
    }

    private static void EmitTargets(SourceWriter w, NetworkModel model)
    {
        for (int k = 0; k < model.OutputSize; k++) w.Line("float t" + N(k) + " = target[" + N(k) + "];");
    }

    /// <summary>The forward pass unit by unit; a frozen network's weights are written as constants (<paramref name="baked"/>), a trainable one's read from p.</summary>
    internal static void EmitForward(SourceWriter w, NetworkModel model, bool baked = false)
    {
        string P(int k) => baked ? FloatLiteral(model.BakedBits.Count > k ? model.BakedBits[k] : 0) : "p[" + N(k) + "]";
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            string input = l == 0 ? "x" : "a" + N(l - 1);
            w.Line();
            w.Line("// Layer " + N(l) + ": dense " + N(layer.Inputs) + " → " + N(layer.Size) + ", " + layer.Activation + ". z" + N(l) + " = W" + N(l) + "·" + input
                + " + b" + N(l) + ", " + ActivationFormula(layer.Activation, "a" + N(l), "z" + N(l)));
            for (int j = 0; j < layer.Size; j++)
            {
                var sum = new StringBuilder("float " + Z(l, j) + " = ");
                for (int i = 0; i < layer.Inputs; i++)
                {
                    string weight = P(layer.WeightOffset + j * layer.Inputs + i);
                    // a negative constant after the first term as a subtraction: a + (−c)·x and a − c·x are the same float
                    sum.Append(i > 0 && weight[0] == '-' ? "- " + weight.Substring(1) : (i > 0 ? "+ " : string.Empty) + weight).Append(" * " + X(l, i) + " ");
                }
                string bias = P(layer.BiasOffset + j);
                sum.Append(bias[0] == '-' ? "- " + bias.Substring(1) : "+ " + bias).Append(';');
                w.Line(sum.ToString());
            }
            if (layer.Activation == ActivationKind.Softmax)
            {
                EmitSoftmax(w, l, layer.Size);
                continue;
            }
            for (int j = 0; j < layer.Size; j++)
                w.Line("float " + A(l, j) + " = " + (OperatorTable.Invoke(layer.Activation, Z(l, j)) ?? Z(l, j)) + ";");
        }
    }

    private static void EmitSoftmax(SourceWriter w, int l, int size)
    {
        string m = "m" + N(l), s = "s" + N(l);
        w.Line("// Softmax, shifted by m = max z (the shift cancels and prevents overflow): a_k = e^(z_k − m) / Σ_j e^(z_j − m).");
        string max = Z(l, 0);
        for (int j = 1; j < size; j++) max = MathF + ".Max(" + max + ", " + Z(l, j) + ")";
        w.Line("float " + m + " = " + max + ";");
        var total = new StringBuilder("float " + s + " = ");
        for (int j = 0; j < size; j++)
        {
            w.Line("float e" + N(l) + "_" + N(j) + " = " + MathF + ".Exp(" + Z(l, j) + " - " + m + ");");
            total.Append(j == 0 ? string.Empty : " + ").Append("e" + N(l) + "_" + N(j));
        }
        w.Line(total + ";");
        w.Line("float r" + N(l) + " = 1f / " + s + ";");
        for (int j = 0; j < size; j++) w.Line("float " + A(l, j) + " = e" + N(l) + "_" + N(j) + " * r" + N(l) + ";");
    }

    // L = Reduce(Σ_k Term(z_k, a_k, t_k, lse), n), through the loss operator.
    private static void EmitLoss(SourceWriter w, NetworkModel model)
    {
        int l = model.Layers.Count - 1;
        int n = model.OutputSize;
        var loss = OperatorTable.Of(model.Loss);
        string op = OperatorTable.OperatorType(model.Loss);
        w.Line();
        w.Line("// Loss: " + loss.Formula.Substring(loss.Formula.IndexOf(", ") + 2) + " over the output o = a" + N(l)
            + (loss.NeedsLogSumExp ? ", with log o_k = z" + N(l) + "_k − lse, lse = m + log Σ_j e^(z" + N(l) + "_j − m): exact even where o_k underflows" : string.Empty));
        if (loss.NeedsLogSumExp) w.Line("float lse = m" + N(l) + " + " + MathF + ".Log(s" + N(l) + ");");
        var sum = new StringBuilder();
        for (int k = 0; k < n; k++)
            sum.Append(k == 0 ? string.Empty : " + ").Append(op + ".Term(" + Z(l, k) + ", " + A(l, k) + ", t" + N(k) + ", " + (loss.NeedsLogSumExp ? "lse" : "0f") + ")");
        w.Line("float loss = " + op + ".Reduce(" + sum + ", " + N(n) + ");");
    }

    private static void EmitDeltas(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        var output = model.Layers[last];
        int n = model.OutputSize;
        var loss = OperatorTable.Of(model.Loss);
        string op = OperatorTable.OperatorType(model.Loss);
        w.Line();
        w.Line("// Output delta (o = a" + N(last) + "), " + loss.Delta + (loss.DeltaIsFused ? "." : string.Empty));
        string tsum = "0f";
        if (loss.DeltaNeedsTargetSum)
        {
            var total = new StringBuilder("float tsum = ");
            for (int k = 0; k < n; k++) total.Append(k == 0 ? string.Empty : " + ").Append("t" + N(k));
            w.Line(total + ";");
            tsum = "tsum";
        }
        string target = loss.DeltaIsFused ? "d" + N(last) + "_" : "g_";
        for (int k = 0; k < n; k++)
            w.Line("float " + target + N(k) + " = " + op + ".Delta(" + A(last, k) + ", t" + N(k) + ", " + tsum + ", " + N(n) + ");");
        if (!loss.DeltaIsFused)
        {
            if (output.Activation == ActivationKind.Softmax)
            {
                w.Line("// Through softmax: d_k = a_k·(g_k − Σ_j g_j·a_j)");
                var dot = new StringBuilder("float ga = ");
                for (int k = 0; k < n; k++) dot.Append(k == 0 ? string.Empty : " + ").Append("g_" + N(k) + " * " + A(last, k));
                w.Line(dot + ";");
                for (int k = 0; k < n; k++) w.Line("float " + D(last, k) + " = " + A(last, k) + " * (g_" + N(k) + " - ga);");
            }
            else
            {
                w.Line("// Through the activation: d_k = g_k·f′(z_k), f′ = " + DerivativeFormula(output.Activation));
                for (int k = 0; k < n; k++)
                {
                    var derivative = OperatorTable.Derivative(output.Activation, Z(last, k), A(last, k));
                    w.Line("float " + D(last, k) + " = g_" + N(k) + (derivative is null ? string.Empty : " * " + derivative) + ";");
                }
            }
        }
        for (int l = last; l > 0; l--)
        {
            var layer = model.Layers[l];
            var below = model.Layers[l - 1];
            w.Line();
            w.Line("// Back through W" + N(l) + ": d" + N(l - 1) + "_i = (Σ_j W" + N(l) + "[j, i]·d" + N(l) + "_j)·f′(z" + N(l - 1) + "_i), f′ = "
                + DerivativeFormula(below.Activation));
            for (int i = 0; i < layer.Inputs; i++)
            {
                var sum = new StringBuilder();
                for (int j = 0; j < layer.Size; j++)
                    sum.Append(j == 0 ? string.Empty : " + ").Append("p[" + N(layer.WeightOffset + j * layer.Inputs + i) + "] * " + D(l, j));
                var derivative = OperatorTable.Derivative(below.Activation, Z(l - 1, i), A(l - 1, i));
                w.Line("float " + D(l - 1, i) + " = " + (derivative is null ? sum.ToString() : "(" + sum + ") * " + derivative) + ";");
            }
        }
    }

    private static void EmitParameterUpdates(SourceWriter w, NetworkModel model, bool update)
    {
        for (int l = model.Layers.Count - 1; l >= 0; l--)
        {
            var layer = model.Layers[l];
            string input = l == 0 ? "x" : "a" + N(l - 1);
            w.Line();
            w.Line(update
                ? "// SGD on layer " + N(l) + ": W" + N(l) + "[j, i] −= η·d" + N(l) + "_j·" + input + "_i, b" + N(l) + "[j] −= η·d" + N(l) + "_j"
                : "// Layer " + N(l) + " gradient: ∂L/∂W" + N(l) + "[j, i] = d" + N(l) + "_j·" + input + "_i, ∂L/∂b" + N(l) + "[j] = d" + N(l) + "_j");
            string target = update ? "p" : "gradient";
            for (int j = 0; j < layer.Size; j++)
            {
                for (int i = 0; i < layer.Inputs; i++)
                {
                    string term = D(l, j) + " * " + X(l, i);
                    string index = N(layer.WeightOffset + j * layer.Inputs + i);
                    w.Line(update ? "p[" + index + "] -= learningRate * (" + term + ");" : target + "[" + index + "] += " + term + ";");
                }
                string bias = N(layer.BiasOffset + j);
                w.Line(update ? "p[" + bias + "] -= learningRate * " + D(l, j) + ";" : target + "[" + bias + "] += " + D(l, j) + ";");
            }
        }
    }
}
