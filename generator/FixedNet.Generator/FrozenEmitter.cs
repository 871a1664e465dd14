using System;
using System.Linq;
using FixedNet.Generator.Model;
using static FixedNet.Generator.Emitter;

namespace FixedNet.Generator;

/// <summary>
/// A frozen network (<c>[Network(…, Weights = "…", Frozen = true)]</c>): inference only, as static members over the
/// baked weights, with no instance state, so that it needs no <c>new</c> and any number of threads may call it at once.
/// The layers run the same kernels and operators as a trainable network's, reading the weights from the assembly's
/// data; the intermediate values live in one buffer per thread.
/// </summary>
internal static class FrozenEmitter
{
    private const string Dense = "Dense";
    private const string Reference = "MemoryMarshal.GetReference";

    // The user's part: the sizes, the architecture, the baked weights and the two passes, each from the core.
    public static void EmitShell(SourceWriter w, NetworkModel model, string core)
    {
        EmitSizes(w, model);
        w.Line("/// <summary>The network's shape, layout and loss.</summary>");
        w.Line("public static " + GlobalArchitecture + " Architecture => " + core + ".Architecture;");
        w.Line();
        EmitBakedParametersShell(w, model, core);
        w.Line("/// <summary>Computes the output for one sample from the baked weights. Static and thread-safe: it keeps no state.</summary>");
        Member(w, "public static void Forward(" + GlobalReadOnlySpan + " input, " + GlobalSpan + " output)", core + ".Forward(input, output)");
        w.Line();
        w.Line("/// <summary>Outputs of a batch: row s of <paramref name=\"outputs\"/> [batchSize × OutputSize] for row s of <paramref name=\"inputs\"/> [batchSize × InputSize], which must be a separate buffer. Static and thread-safe; a large batch runs on several cores (<see cref=\"global::FixedNet.Runtime.ParallelForward\"/>).</summary>");
        Member(w, "public static void ForwardBatch(" + GlobalReadOnlySpan + " inputs, " + GlobalSpan + " outputs, int batchSize)", core + ".ForwardBatch(inputs, outputs, batchSize)");
    }

    // The core: the constants, the weights, the argument checks and the passes.
    public static void EmitCore(SourceWriter w, NetworkModel model)
    {
        EmitShapeConstants(w, model);
        EmitBakedParameters(w, model);
        using (w.Block("public static void Forward(" + ReadOnlySpan + " input, " + Span + " output)"))
        {
            CheckLength(w, "input", "InputSize");
            CheckLength(w, "output", "OutputSize");
            w.Line("ForwardCore(input, output);");
        }
        w.Line();
        using (w.Block("public static void ForwardBatch(" + ReadOnlySpan + " inputs, " + Span + " outputs, int batchSize)"))
        {
            CheckForwardBatch(w);
            w.Line("if (ParallelForward.TryRun(s_forwardSamples, InputSize, OutputSize, ParameterCount, inputs, outputs, batchSize)) return; // a large batch: shards on the other cores");
            w.Line("ForwardSamples(inputs, outputs, batchSize);");
        }
        w.Line();
        w.Line("private static readonly BatchForward s_forwardSamples = ForwardSamples;");
        w.Line();
        w.Line("// One sample after another: the loop that each core runs on its shard of a large batch.");
        using (w.Block("private static void ForwardSamples(" + ReadOnlySpan + " inputs, " + Span + " outputs, int batchSize)"))
            w.Line("for (int s = 0; s < batchSize; s++) ForwardCore(inputs.Slice(s * InputSize, InputSize), outputs.Slice(s * OutputSize, OutputSize));");
        w.Line();
        if (IsUnrolled(model))
        {
            EmitUnrolledForwardCore(w, model);
            return;
        }
        EmitForwardCore(w, model);
        VectorEmitter.EmitOutputActivation(w, model);
        VectorEmitter.EmitShapes(w, model);
    }

    // A small network (as a trainable one would be unrolled): unit by unit, the weights written in as constants.
    private static void EmitUnrolledForwardCore(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        w.Line("// Forward pass, written out unit by unit, with the baked weights as constants.");
        using (w.Block("private static void ForwardCore(" + ReadOnlySpan + " input, " + Span + " output)"))
        {
            UnrolledEmitter.EmitInputs(w, model);
            UnrolledEmitter.EmitForward(w, model, baked: true);
            for (int k = 0; k < model.OutputSize; k++) w.Line("output[" + N(k) + "] = " + UnrolledEmitter.A(last, k) + ";");
        }
    }

    private static void EmitForwardCore(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        int hidden = last == 0 ? 0 : (model.Layers.Take(last).Max(l => l.Size) + 15) / 16 * 16; // whole cache lines
        int g = last > 1 ? hidden : 0, z = hidden + g, size = z + (model.OutputSize + 15) / 16 * 16;
        w.Line("// The baked weights copied once, when the class is first used, to a 64-byte boundary: the data in the assembly image is only");
        w.Line("// 4-byte aligned, and vector loads of rows that straddle cache lines made Forward 10-25 % slower than a trainable network's.");
        w.Line("private static readonly " + AlignedBuffer + " s_weights = " + AlignedBuffer + ".CopyOf(BakedParameters);");
        w.Line();
        w.Line("// Activations, one buffer per thread, made on the thread's first call (stack buffers measured slower): "
            + (hidden > 0 ? "h at 0" + (g > 0 ? ", g at " + N(hidden) : string.Empty) + ", " : string.Empty) + "z at " + N(z) + ", each on a 64-byte boundary.");
        w.Line("[ThreadStatic] private static " + AlignedBuffer + " t_scratch;");
        w.Line();
        w.Line("// x → " + string.Join(" → ", Enumerable.Range(0, last).Select(l => l % 2 == 0 ? "h" : "g")) + (last > 0 ? " → " : string.Empty)
            + "z: z = W·x + b by the layer's kernel over the baked weights, then a = f(z) by the activation's operator, in place" + (last > 1 ? "; the hidden layers take turns in h and g." : "."));
        using (w.Block("private static void ForwardCore(" + ReadOnlySpan + " input, " + Span + " output)"))
        {
            w.Line("ref float x = ref " + Reference + "(input);");
            w.Line("ref float p = ref s_weights.Reference;");
            w.Line(AlignedBuffer + " scratch = t_scratch;");
            w.Line("if (scratch.Length == 0) t_scratch = scratch = new " + AlignedBuffer + "(" + N(size) + ");");
            for (int l = 0; l <= last; l++)
            {
                var layer = model.Layers[l];
                string input = l == 0 ? "x" : "scratch.At(" + ((l - 1) % 2 == 0 ? "0" : N(hidden)) + ")";
                string output = "scratch.At(" + (l == last ? N(z) : l % 2 == 0 ? "0" : N(hidden)) + ")";
                w.Line(Dense + ".Forward<" + VectorEmitter.Shape(layer) + ">(ref Unsafe.Add(ref p, W" + N(l) + "), ref " + input + ", ref " + output + ");");
                if (l < last) VectorEmitter.EmitApply(w, layer.Activation, output, output, N(layer.Size));
            }
            w.Line("OutputActivation(scratch.Span.Slice(" + N(z) + ", OutputSize), output);");
        }
        w.Line();
    }

    /// <summary>The members a frozen network declares (a user member of one of these names is FN0016).</summary>
    internal static readonly string[] MemberNames = ["InputSize", "OutputSize", "ParameterCount", "Architecture", "BakedParameters", "Forward", "ForwardBatch"];
}
