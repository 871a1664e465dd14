using FixedNet.Generator.Model;
using static FixedNet.Generator.Emitter;

namespace FixedNet.Generator;

/// <summary>
/// The mini-batch path of <see cref="VectorEmitter"/>: samples are processed in chunks of up to <see cref="Chunk"/>,
/// one row per sample, and each layer's three products, Z = X·Wᵀ, ∂W = Δᵀ·X and Δ_below = Δ·W, run as the
/// register-tiled batch kernels of FixedNet.Kernels.Dense.
/// </summary>
internal static partial class VectorEmitter
{
    internal const int Chunk = 32;

    private static void EmitBatch(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        w.Line("// ---- Mini-batches ----");
        w.Line("// Samples go through in chunks of up to " + N(Chunk) + ", one row per sample: _ba{l} / _bd{l} hold activations / deltas [chunk × size].");
        w.Line("private const int BatchChunk = " + N(Chunk) + ";");
        for (int l = 0; l < model.Layers.Count; l++)
            w.Line("private readonly " + AlignedBuffer + " _ba" + N(l) + " = new " + AlignedBuffer + "(BatchChunk * " + N(model.Layers[l].Size) + "), _bd" + N(l) + " = new " + AlignedBuffer + "(BatchChunk * " + N(model.Layers[l].Size) + ")"
                + (HiddenKeepsZ(model, l) ? ", _bz" + N(l) + " = new " + AlignedBuffer + "(BatchChunk * " + N(model.Layers[l].Size) + ")" : string.Empty) + ";");
        for (int l = 0; l < model.Layers.Count; l++)
        {
            if (model.Layers[l].Dropout > 0f)
                w.Line("private readonly " + AlignedBuffer + " _br" + N(l) + " = new " + AlignedBuffer + "(BatchChunk * " + N(model.Layers[l].Size) + "), _bm" + N(l) + " = new " + AlignedBuffer + "(BatchChunk * " + N(model.Layers[l].Size)
                    + "); // training: R = A·M after the dropout, M its masks");
        }
        w.Line("private readonly " + AlignedBuffer + " _bz = new " + AlignedBuffer + "(BatchChunk * OutputSize);");
        w.Line("private readonly " + AlignedBuffer + " _bl = new " + AlignedBuffer + "(BatchChunk); // each sample's loss, summed in sample order");
        w.Line();

        w.Line("// gradient += (1/m)·Σ_s ∂L_s/∂θ, chunk by chunk.");
        using (w.Block("private float BackwardBatchCore(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize, " + Span + " gradient)"))
        {
            w.Line("ref float x = ref " + Marshal + ".GetReference(inputs);");
            w.Line("float c = 1f / batchSize;");
            w.Line("float loss = 0f;");
            using (w.Block("for (int s = 0; s < batchSize; s += BatchChunk)"))
            {
                w.Line("int n = Math.Min(BatchChunk, batchSize - s);");
                w.Line("loss += ChunkForward(ref " + Unsafe + ".Add(ref x, s * InputSize), targets.Slice(s * OutputSize, n * OutputSize), n);");
                for (int l = last; l >= 0; l--)
                {
                    EmitBatchOuterProduct(w, model, l, "gradient[W" + N(l) + "]", BatchInputRef(model, l, "s"), "n");
                    if (l > 0) EmitBatchBackpropagate(w, model, l, "n");
                }
            }
            w.Line("return loss / batchSize;");
        }
        w.Line();
        w.Line("// θ ← θ − (η/m)·Σ_s ∂L_s/∂θ. Up to one chunk, each layer moves right after its delta below is taken, with no gradient buffer.");
        using (w.Block("private float TrainBatchCore(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize, float learningRate)"))
        {
            using (w.Block("if (batchSize > BatchChunk)"))
            {
                w.Line("_gradient.Span.Clear();");
                w.Line("float mean = BackwardBatchCore(inputs, targets, batchSize, _gradient.Span);");
                w.Line(VectorLoops + ".MultiplyAdd(_gradient.Span, -learningRate, _parameters.Span, _parameters.Span);");
                w.Line("return mean;");
            }
            w.Line("ref float x = ref " + Marshal + ".GetReference(inputs);");
            w.Line("float loss = ChunkForward(ref x, targets, batchSize);");
            w.Line("float c = -learningRate / batchSize;");
            for (int l = last; l >= 0; l--)
            {
                if (l > 0) EmitBatchBackpropagate(w, model, l, "batchSize");
                EmitBatchOuterProduct(w, model, l, "_parameters.At(W" + N(l) + ")", BatchInputRef(model, l, null), "batchSize");
            }
            w.Line("return loss / batchSize;");
        }
        w.Line();
        w.Line("// Outputs of batchSize samples, chunk by chunk, through the same tiled forward pass as training; with withLoss, also the summed loss.");
        using (w.Block("private float ForwardBatchCore(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, " + Span + " outputs, int batchSize, bool withLoss)"))
        {
            w.Line("ref float x = ref " + Marshal + ".GetReference(inputs);");
            w.Line("float loss = 0f;");
            using (w.Block("for (int s = 0; s < batchSize; s += BatchChunk)"))
            {
                w.Line("int n = Math.Min(BatchChunk, batchSize - s);");
                w.Line("ChunkLayers(ref " + Unsafe + ".Add(ref x, s * InputSize), n);");
                using (w.Block("for (int k = 0; k < n; k++)"))
                {
                    w.Line(ReadOnlySpan + " z = _bz.Span.Slice(k * OutputSize, OutputSize);");
                    w.Line(Span + " o = outputs.Slice((s + k) * OutputSize, OutputSize);");
                    w.Line((ReusesLse(model) ? "float lse = " : string.Empty) + "OutputActivation(z, o);");
                    w.Line("if (withLoss) loss += " + LossCall(model, "z", "o", "targets.Slice((s + k) * OutputSize, OutputSize)", "lse") + ";");
                }
            }
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// Z = X·Wᵀ + b and the activation, layer by layer, for n ≤ BatchChunk samples: hidden layers into _ba{l}, the output layer's z into _bz.");
        using (w.Block("private void ChunkLayers(ref float x, int n)")) EmitChunkLayers(w, model, training: false);
        w.Line();
        w.Line("// Forward pass of n ≤ BatchChunk samples, then each sample's loss and output delta; returns the summed loss.");
        using (w.Block("private float ChunkForward(ref float x, " + ReadOnlySpan + " targets, int n)"))
        {
            EmitChunkLayers(w, model, training: true); // written out here as well, so the training path has no extra call
            if (!HasDropout(model))
            {
                w.Line("return ChunkLoss(targets, n);");
            }
            else
            {
                w.Line("float loss = ChunkLoss(targets, n);");
                w.Line("_dropoutState += (ulong)n; // the next samples' masks");
                w.Line("return loss;");
            }
        }
        w.Line();
        w.Line("// Each sample's output activation, loss and output delta, from the chunk's _bz; returns the summed loss.");
        using (w.Block("private float ChunkLoss(" + ReadOnlySpan + " targets, int n)"))
        {
            w.Line("ChunkLosses(targets, 0, n);");
            w.Line("return ChunkSum(n);");
        }
        w.Line();
        w.Line("// Σ_s L_s over the chunk's n samples, in sample order.");
        using (w.Block("private float ChunkSum(int n)"))
        {
            w.Line("float loss = 0f;");
            w.Line(Span + " losses = _bl.Span;");
            w.Line("for (int s = 0; s < n; s++) loss += losses[s];");
            w.Line("return loss;");
        }
        w.Line();
        w.Line("// The same for samples [from, to) of the chunk, each one's loss into _bl.");
        using (w.Block("private void ChunkLosses(" + ReadOnlySpan + " targets, int from, int to)"))
        {
            using (w.Block("for (int s = from; s < to; s++)"))
            {
                w.Line(ReadOnlySpan + " z = _bz.Span.Slice(s * OutputSize, OutputSize);");
                w.Line(Span + " o = _ba" + N(last) + ".Span.Slice(s * OutputSize, OutputSize);");
                w.Line(ReadOnlySpan + " t = targets.Slice(s * OutputSize, OutputSize);");
                w.Line((ReusesLse(model) ? "float lse = " : string.Empty) + "OutputActivation(z, o);");
                w.Line("_bl.Span[s] = " + LossCall(model, "z", "o", "t", "lse") + ";");
                w.Line("OutputDelta(z, o, t, _bd" + N(last) + ".Span.Slice(s * OutputSize, OutputSize));");
            }
        }
        w.Line();
        if (SharesBatches(model)) EmitSharedBatch(w, model);
    }

    // ISharedBatch: BackwardBatchCore's and TrainBatchCore's chunks and calls, each kernel call a part's share of the layer.
    private static void EmitSharedBatch(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        w.Line("// The inputs, then each layer's units: SharedBatch.ParameterShare gives each part of a team the parameters it clears and steps.");
        var sizes = new System.Text.StringBuilder("InputSize");
        for (int l = 0; l <= last; l++) sizes.Append(", ").Append(N(model.Layers[l].Size));
        w.Line("private static ReadOnlySpan<int> LayerSizes => new int[] { " + sizes + " };");
        w.Line();
        w.Line("// BackwardBatchCore by `parts` threads at once: each layer's products are split between them (rows of Z = X·Wᵀ and, from 32 rows, of ∂W;");
        w.Line("// else columns of ∂W; columns of Δ below), and they meet at the barrier after each layer. Every value is summed by one thread, in");
        w.Line("// BackwardBatchCore's order: the same bits.");
        using (w.Block("public float BackwardBatchPart(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize, " + Span + " gradient, int part, int parts, SpinBarrier barrier)"))
        {
            CheckBatch(w);
            CheckLength(w, "gradient", "ParameterCount");
            w.Line(Throw + ".CheckPart(part, parts, barrier);");
            w.Line("ref float x = ref " + Marshal + ".GetReference(inputs);");
            w.Line("float c = 1f / batchSize;");
            w.Line("float loss = 0f;");
            using (w.Block("for (int s = 0; s < batchSize; s += BatchChunk)"))
            {
                w.Line("int n = Math.Min(BatchChunk, batchSize - s);");
                EmitForwardPart(w, model, "s", "n");
                EmitLossPart(w, model, "targets.Slice(s * OutputSize, n * OutputSize)", "n");
                w.Line("if (part == 0) loss += ChunkSum(n);");
                for (int l = last; l >= 0; l--)
                {
                    EmitBatchOuterProduct(w, model, l, "gradient[W" + N(l) + "]", BatchInputRef(model, l, "s"), "n", shared: true, byRows: SplitsRows(model.Layers[l]));
                    if (l == 0) continue;
                    EmitBatchBackpropagate(w, model, l, "n", shared: true);
                    w.Line("barrier.SignalAndWait();");
                }
                if (last == 0 && !SplitsRows(model.Layers[0]))
                    w.Line("barrier.SignalAndWait(); // the next chunk's output deltas, which come before any barrier of its own, overwrite what this outer product reads");
                else
                    w.Line("// no barrier here: the next chunk writes nothing that the last calls read before its own barriers");
            }
            w.Line("return loss / batchSize;");
        }
        w.Line();
        w.Line("// TrainBatchCore by `parts` threads at once, the same bits. Up to one chunk, each part takes Δ below from its columns of W{l} and then");
        w.Line("// moves those same columns (no other part reads them; a first layer of 32 units or more moves by the rows its forward share computed);");
        w.Line("// a larger batch goes through _gradient, each part clearing and stepping the parameters whose gradient it writes (SharedBatch.ParameterShare).");
        using (w.Block("public float TrainBatchPart(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize, float learningRate, int part, int parts, SpinBarrier barrier)"))
        {
            CheckBatch(w);
            w.Line(Throw + ".CheckPart(part, parts, barrier);");
            using (w.Block("if (batchSize > BatchChunk)"))
            {
                w.Line("Span<int> share = stackalloc int[" + N(4 * model.Layers.Count) + "];");
                w.Line("SharedBatch.ParameterShare(LayerSizes, part, parts, share);");
                w.Line("for (int r = 0; r < share.Length; r += 2) _gradient.Span[share[r]..share[r + 1]].Clear();");
                w.Line("barrier.SignalAndWait();");
                w.Line("float mean = BackwardBatchPart(inputs, targets, batchSize, _gradient.Span, part, parts, barrier);");
                w.Line("barrier.SignalAndWait();");
                using (w.Block("for (int r = 0; r < share.Length; r += 2)"))
                {
                    w.Line(Span + " own = _parameters.Span[share[r]..share[r + 1]];");
                    w.Line(VectorLoops + ".MultiplyAdd(_gradient.Span[share[r]..share[r + 1]], -learningRate, own, own);");
                }
                w.Line("barrier.SignalAndWait();");
                w.Line("return mean;");
            }
            w.Line("ref float x = ref " + Marshal + ".GetReference(inputs);");
            EmitForwardPart(w, model, null, "batchSize");
            EmitLossPart(w, model, "targets", "batchSize");
            w.Line("float loss = part == 0 ? ChunkSum(batchSize) : 0f;");
            w.Line("float c = -learningRate / batchSize;");
            for (int l = last; l >= 0; l--)
            {
                if (l > 0) EmitBatchBackpropagate(w, model, l, "batchSize", shared: true);
                EmitBatchOuterProduct(w, model, l, "_parameters.At(W" + N(l) + ")", BatchInputRef(model, l, null), "batchSize", shared: true);
                w.Line("barrier.SignalAndWait();" + (l == 0 ? " // every column has moved before any part returns" : string.Empty));
            }
            w.Line("return loss / batchSize;");
        }
        w.Line();
    }

    // Each layer's share of the batch forward pass (ForwardBatchPart: rows of Z = X·Wᵀ and the activation), with a barrier
    // after each layer; an output layer under 32 rows is split by samples instead (ForwardBatchSamplesPart), each part
    // computing the z of the samples whose loss it takes next, so it needs no barrier.
    private static void EmitForwardPart(SourceWriter w, NetworkModel model, string? sampleOffset, string n)
    {
        int last = model.Layers.Count - 1;
        for (int l = 0; l <= last; l++)
        {
            var layer = model.Layers[l];
            string z = l == last ? "_bz" : HiddenKeepsZ(model, l) ? "_bz" + N(l) : "_ba" + N(l);
            string a = l == last ? "_bz" : "_ba" + N(l);
            string x = BatchInputRef(model, l, sampleOffset);
            if (l == last && !SplitsRows(layer))
            {
                w.Line(Dense + ".ForwardBatchSamplesPart<" + Shape(layer) + ">(ref _parameters.At(W" + N(l) + "), ref " + x + ", ref _bz.Reference, " + n + ", part, parts); // the output layer's z, of this part's samples");
                continue;
            }
            string op = OperatorTable.OperatorType(l == last ? ActivationKind.Identity : layer.Activation);
            w.Line(Dense + ".ForwardBatchPart<" + Shape(layer) + ", " + op + ">(ref _parameters.At(W" + N(l) + "), ref " + x + ", ref " + z + ".Reference, ref " + a + ".Reference, " + n + ", part, parts);"
                + (l < last ? " // then " + ActivationFormula(layer.Activation) : " // the output layer's z"));
            w.Line("barrier.SignalAndWait();");
        }
    }

    // Whether Dense.RowShare splits the layer's rows between parts: runs of at least 16 rows, so from 32 rows.
    private static bool SplitsRows(LayerModel layer) => layer.Size >= 32;

    // Each part's samples' output activation, loss (into _bl) and output delta, then the barrier after which Δ of the output
    // layer is whole; ChunkSum then adds the losses in sample order, as ChunkLoss does.
    private static void EmitLossPart(SourceWriter w, NetworkModel model, string targets, string n)
    {
        w.Line("var (first, end) = " + Dense + ".SampleShare<" + Shape(model.Layers[model.Layers.Count - 1]) + ">(" + n + ", part, parts);");
        w.Line("ChunkLosses(" + targets + ", first, end);");
        w.Line("barrier.SignalAndWait();");
    }

    // The batch forward pass of every layer, x (n samples) → _ba0 → … → _bz: each layer's kernel, then its activation over the n rows.
    // In training, each dropout then draws the masks of the n samples (sample k at position _dropoutState + k) and the next layer reads R = A·M.
    private static void EmitChunkLayers(SourceWriter w, NetworkModel model, bool training)
    {
        int last = model.Layers.Count - 1;
        for (int l = 0; l <= last; l++)
        {
            var layer = model.Layers[l];
            string output = l == last ? "_bz" : HiddenKeepsZ(model, l) ? "_bz" + N(l) : "_ba" + N(l);
            w.Line(Dense + ".ForwardBatch<" + Shape(layer) + ">(ref _parameters.At(W" + N(l) + "), ref " + BatchInputRef(model, l, null, training) + ", ref " + output + ".Reference, n);");
            if (l < last) EmitApply(w, layer.Activation, output + ".Reference", "_ba" + N(l) + ".Reference", "n * " + N(layer.Size));
            if (training && layer.Dropout > 0f)
                w.Line(DropoutOperator + ".Apply(ref _ba" + N(l) + ".Reference, ref _br" + N(l) + ".Reference, ref _bm" + N(l) + ".Reference, n, " + N(layer.Size) + ", " + Float(layer.Dropout) + ", _dropoutState, " + N(l)
                    + "); // R = A·M: M = 1/(1 − p) with probability 1 − p, else 0");
        }
    }

    private static string BatchInputRef(NetworkModel model, int l, string? sampleOffset, bool training = true) => l == 0
        ? (sampleOffset is null ? "x" : Unsafe + ".Add(ref x, " + sampleOffset + " * InputSize)")
        : (training && model.Layers[l - 1].Dropout > 0f ? "_br" : "_ba") + N(l - 1) + ".Reference";

    // M[j, i] += c·Σ_s Δ{l}[s, j]·input[s, i] and the biases, over the chunk's n samples; shared: this part's share of it, by
    // rows for a first layer that the forward pass splits by rows (no delta below is taken from it, and each part then
    // writes the rows of W0 it reads) and, into a gradient (byRows), for every layer it splits so (each part then steps the
    // rows its forward share reads next), else by columns (the columns of W{l} that the part takes its delta below from).
    private static void EmitBatchOuterProduct(SourceWriter w, NetworkModel model, int l, string m, string input, string n, bool shared = false, bool byRows = false)
    {
        string kernel = !shared ? "AddOuterProductBatch<" : byRows || l == 0 && SplitsRows(model.Layers[0]) ? "AddOuterProductBatchRowsPart<" : "AddOuterProductBatchPart<";
        w.Line(Dense + "." + kernel + Shape(model.Layers[l]) + ">(ref " + m + ", c, ref _bd" + N(l) + ".Reference, ref " + input + ", " + n
            + (shared ? ", part, parts);" : ");"));
    }

    // Δ{l−1}[s, i] = (Σ_j Δ{l}[s, j]·W{l}[j, i])·f′(Z{l−1}[s, i]); shared: this part's share of it.
    private static void EmitBatchBackpropagate(SourceWriter w, NetworkModel model, int l, string n, bool shared = false)
    {
        var below = model.Layers[l - 1];
        string a = "_ba" + N(l - 1) + ".Reference";
        string z = OperatorTable.DerivativeZ(below.Activation, "_bz" + N(l - 1) + ".Reference", a);
        w.Line(Dense + ".BackpropagateBatch" + (shared ? "Part<" : "<") + Shape(model.Layers[l]) + ", " + OperatorTable.OperatorType(below.Activation) + ">(ref _parameters.At(W" + N(l) + "), ref _bd" + N(l) + ".Reference, ref _bd" + N(l - 1)
            + ".Reference, ref " + z + ", ref " + a + ", " + n + (shared ? ", part, parts" : string.Empty) + "); // Δ" + N(l - 1) + " = (Δ" + N(l) + "·W" + N(l) + ")·f′, f′ = " + DerivativeFormula(below.Activation));
        if (below.Dropout > 0f)
            w.Line(DropoutOperator + ".Multiply(ref _bm" + N(l - 1) + ".Reference, ref _bd" + N(l - 1) + ".Reference, " + n + " * " + N(below.Size) + "); // back through the dropout: Δ" + N(l - 1) + " ·= M" + N(l - 1));
    }
}
