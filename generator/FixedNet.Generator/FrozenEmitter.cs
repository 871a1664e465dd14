using System;
using System.Linq;
using FixedNet.Generator.Model;
using static FixedNet.Generator.Emitter;

namespace FixedNet.Generator;

/// <summary>
/// A frozen network (<c>[Network(…, Weights = "…", Frozen = true)]</c>): inference only, as static members over the
/// baked weights, with no instance state, so that it needs no <c>new</c> and any number of threads may call it at once.
/// The layers run the same kernels and operators as a trainable network's, reading the weights from the assembly's
/// data; the intermediate values live on the stack.
/// </summary>
internal static class FrozenEmitter
{
    private const string Dense = "global::FixedNet.Kernels.Dense";
    private const string Reference = "global::System.Runtime.InteropServices.MemoryMarshal.GetReference";

    /// <summary>Hidden activations up to this many floats per buffer go on the stack (two buffers: 128 KiB at most); wider ones in a per-thread array.</summary>
    internal const int MaxStackFloats = 16384;

    public static void Emit(SourceWriter w, NetworkModel model)
    {
        EmitShapeConstants(w, model);
        w.Line("/// <summary>The network's shape, layout and loss.</summary>");
        w.Line("public static global::FixedNet.NetworkArchitecture Architecture => s_architecture;");
        w.Line();
        EmitBakedParameters(w, model);

        w.Line("/// <summary>Computes the output for one sample from the baked weights. Static and thread-safe: it keeps no state.</summary>");
        using (w.Block("public static void Forward(" + ReadOnlySpan + " input, " + Span + " output)"))
        {
            w.Line("if (input.Length != InputSize) " + Throw + ".ThrowLengthMismatch(nameof(input), InputSize, input.Length);");
            w.Line("if (output.Length != OutputSize) " + Throw + ".ThrowLengthMismatch(nameof(output), OutputSize, output.Length);");
            w.Line("ForwardCore(ref " + Reference + "(input), output);");
        }
        w.Line();
        w.Line("/// <summary>Outputs of a batch: row s of <paramref name=\"outputs\"/> [batchSize × OutputSize] for row s of <paramref name=\"inputs\"/> [batchSize × InputSize], which must be a separate buffer. Static and thread-safe.</summary>");
        using (w.Block("public static void ForwardBatch(" + ReadOnlySpan + " inputs, " + Span + " outputs, int batchSize)"))
        {
            w.Line("if (batchSize <= 0) " + Throw + ".ThrowBatchSize(batchSize);");
            w.Line(Throw + ".CheckBatch(nameof(inputs), batchSize, InputSize, inputs.Length);");
            w.Line(Throw + ".CheckBatch(nameof(outputs), batchSize, OutputSize, outputs.Length);");
            w.Line(Throw + ".CheckNoOverlap(nameof(outputs), outputs, inputs, nameof(inputs));");
            w.Line("ref float x = ref " + Reference + "(inputs);");
            w.Line("for (int s = 0; s < batchSize; s++) ForwardCore(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, s * InputSize), outputs.Slice(s * OutputSize, OutputSize));");
        }
        w.Line();
        EmitForwardCore(w, model);
        VectorEmitter.EmitOutputActivation(w, model);
        VectorEmitter.EmitShapes(w, model);
    }

    private static void EmitForwardCore(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        int hidden = last == 0 ? 0 : model.Layers.Take(last).Max(l => l.Size);
        bool onStack = hidden <= MaxStackFloats;
        if (hidden > 0 && !onStack)
        {
            w.Line("// Hidden activations too wide for the stack: one pair of buffers per thread, made on the thread's first call.");
            w.Line("[global::System.ThreadStatic] private static float[]? t_scratch;");
            w.Line();
        }
        w.Line("// x → " + string.Join(" → ", Enumerable.Range(0, last).Select(l => l % 2 == 0 ? "h" : "g")) + (last > 0 ? " → " : string.Empty)
            + "z: z = W·x + b by the layer's kernel over the baked weights, then a = f(z) by the activation's operator, in place; the hidden layers take turns in two buffers (h, g).");
        using (w.Block("private static void ForwardCore(ref float x, " + Span + " output)"))
        {
            w.Line("ref float p = ref " + Reference + "(BakedParameters);");
            if (hidden > 0)
            {
                if (onStack)
                {
                    w.Line(Span + " h = stackalloc float[" + N(hidden) + "]" + (last > 1 ? ", g = stackalloc float[" + N(hidden) + "]" : string.Empty) + ";");
                }
                else
                {
                    w.Line(Span + " scratch = t_scratch ??= new float[" + N(2L * hidden) + "];");
                    w.Line(Span + " h = scratch.Slice(0, " + N(hidden) + ")" + (last > 1 ? ", g = scratch.Slice(" + N(hidden) + ")" : string.Empty) + ";");
                }
            }
            w.Line(Span + " z = stackalloc float[OutputSize];");
            for (int l = 0; l <= last; l++)
            {
                var layer = model.Layers[l];
                string input = l == 0 ? "x" : (l - 1) % 2 == 0 ? "h[0]" : "g[0]";
                string output = l == last ? "z[0]" : l % 2 == 0 ? "h[0]" : "g[0]";
                w.Line(Dense + ".Forward<" + VectorEmitter.Shape(layer) + ">(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref p, W" + N(l) + "), ref " + input + ", ref " + output + ");");
                if (l < last) VectorEmitter.EmitApply(w, layer.Activation, output, output, N(layer.Size));
            }
            w.Line("OutputActivation(z, output);");
        }
        w.Line();
    }

    /// <summary>The members a frozen network declares (a user member of one of these names is FN0016).</summary>
    internal static readonly string[] MemberNames =
        ["InputSize", "OutputSize", "ParameterCount", "Architecture", "BakedParameters", "Forward", "ForwardBatch", "s_architecture", "ForwardCore", "OutputActivation", "t_scratch"];
}
