using FixedNet.Generator.Model;
using static FixedNet.Generator.Emitter;

namespace FixedNet.Generator;

/// <summary>
/// The mini-batch path of <see cref="VectorEmitter"/>: samples are processed in chunks of up to <see cref="Chunk"/>,
/// one row per sample, and each layer's three products run as register-tiled matrix products:
/// Z = X·Wᵀ (samples × rows of dot products), ∂W = Δᵀ·X (rows × columns of outer products) and
/// Δ_below = Δ·W (samples × columns). Each tile keeps 12 (Vector256) or 24 (Vector512, 32 registers) accumulators,
/// so one load feeds several FMAs.
/// </summary>
internal sealed partial class VectorEmitter
{
    internal const int Chunk = 32;
    private const string Prefetch = "global::FixedNet.Runtime.Prefetch.Line";

    private static void EmitBatch(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        w.Line("// ---- Mini-batches ----");
        w.Line("// Samples go through in chunks of up to " + N(Chunk) + ", one row per sample: _ba{l} / _bd{l} hold activations / deltas [chunk × size].");
        w.Line("private const int BatchChunk = " + N(Chunk) + ";");
        for (int l = 0; l < model.Layers.Count; l++)
            w.Line("private readonly " + AlignedBuffer + " _ba" + N(l) + " = new " + AlignedBuffer + "(BatchChunk * " + N(model.Layers[l].Size) + "), _bd" + N(l) + " = new " + AlignedBuffer + "(BatchChunk * " + N(model.Layers[l].Size) + ")"
                + (HiddenKeepsZ(model, l) ? ", _bz" + N(l) + " = new " + AlignedBuffer + "(BatchChunk * " + N(model.Layers[l].Size) + ")" : string.Empty) + ";");
        w.Line("private readonly " + AlignedBuffer + " _bz = new " + AlignedBuffer + "(BatchChunk * OutputSize);");
        w.Line();

        w.Line("// gradient += (1/m)·Σ_s ∂L_s/∂θ, chunk by chunk.");
        using (w.Block("private float BackwardBatchCore(" + ReadOnlySpan + " inputs, " + ReadOnlySpan + " targets, int batchSize, " + Span + " gradient)"))
        {
            w.Line("ref float x = ref " + Marshal + ".GetReference(inputs);");
            w.Line("ref float g = ref " + Marshal + ".GetReference(gradient);");
            w.Line("float c = 1f / batchSize;");
            w.Line("float loss = 0f;");
            using (w.Block("for (int s = 0; s < batchSize; s += BatchChunk)"))
            {
                w.Line("int n = global::System.Math.Min(BatchChunk, batchSize - s);");
                w.Line("loss += ChunkForward(ref " + Unsafe + ".Add(ref x, s * InputSize), targets.Slice(s * OutputSize, n * OutputSize), n);");
                for (int l = last; l >= 0; l--)
                {
                    w.Line("BatchOuterProduct" + N(l) + "(ref " + Unsafe + ".Add(ref g, W" + N(l) + "), c, ref " + BatchInputRef(l, "s") + ", n);");
                    if (l > 0) w.Line("BatchBackpropagate" + N(l) + "(n);");
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
                w.Line(Primitives + ".MultiplyAdd(_gradient.Span, -learningRate, _parameters.Span, _parameters.Span);");
                w.Line("return mean;");
            }
            w.Line("ref float x = ref " + Marshal + ".GetReference(inputs);");
            w.Line("ref float p = ref _parameters.Reference;");
            w.Line("float loss = ChunkForward(ref x, targets, batchSize);");
            w.Line("float c = -learningRate / batchSize;");
            for (int l = last; l >= 0; l--)
            {
                if (l > 0) w.Line("BatchBackpropagate" + N(l) + "(batchSize);");
                w.Line("BatchOuterProduct" + N(l) + "(ref " + Unsafe + ".Add(ref p, W" + N(l) + "), c, ref " + BatchInputRef(l, null) + ", batchSize);");
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
                w.Line("int n = global::System.Math.Min(BatchChunk, batchSize - s);");
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
        using (w.Block("private void ChunkLayers(ref float x, int n)")) EmitChunkLayers(w, model);
        w.Line();
        w.Line("// Forward pass of n ≤ BatchChunk samples, then each sample's loss and output delta; returns the summed loss.");
        using (w.Block("private float ChunkForward(ref float x, " + ReadOnlySpan + " targets, int n)"))
        {
            EmitChunkLayers(w, model); // written out here as well, so the training path has no extra call
            w.Line("float loss = 0f;");
            using (w.Block("for (int s = 0; s < n; s++)"))
            {
                w.Line(ReadOnlySpan + " z = _bz.Span.Slice(s * OutputSize, OutputSize);");
                w.Line(Span + " o = _ba" + N(last) + ".Span.Slice(s * OutputSize, OutputSize);");
                w.Line(ReadOnlySpan + " t = targets.Slice(s * OutputSize, OutputSize);");
                w.Line((ReusesLse(model) ? "float lse = " : string.Empty) + "OutputActivation(z, o);");
                w.Line("loss += " + LossCall(model, "z", "o", "t", "lse") + ";");
                w.Line("OutputDelta(z, o, t, _bd" + N(last) + ".Span.Slice(s * OutputSize, OutputSize));");
            }
            w.Line("return loss;");
        }
        w.Line();
    }

    // The batch forward pass of every layer, x (n samples) → _ba0 → … → _bz: each layer's kernel, then its activation over the n rows.
    private static void EmitChunkLayers(SourceWriter w, NetworkModel model)
    {
        int last = model.Layers.Count - 1;
        w.Line("ref float p = ref _parameters.Reference;");
        for (int l = 0; l <= last; l++)
        {
            string output = l == last ? "_bz" : HiddenKeepsZ(model, l) ? "_bz" + N(l) : "_ba" + N(l);
            string input = l == 0 ? "x" : "_ba" + N(l - 1) + ".Reference";
            w.Line("BatchDenseForward" + N(l) + "(ref " + Unsafe + ".Add(ref p, W" + N(l) + "), ref " + input + ", ref " + output + ".Reference, n);");
            if (l < last) EmitApply(w, model.Layers[l].Activation, output + ".Reference", "_ba" + N(l) + ".Reference", "n * " + N(model.Layers[l].Size));
        }
    }

    private static string BatchInputRef(int l, string? sampleOffset) => l == 0
        ? (sampleOffset is null ? "x" : Unsafe + ".Add(ref x, " + sampleOffset + " * InputSize)")
        : "_ba" + N(l - 1) + ".Reference";

    // ---- Z = X·Wᵀ + b, then the hidden activation ----

    // Weight rows per panel of the batch forward pass: about 128 KiB of W, which stays in L2 while every tile of samples
    // uses it. Without panels, W is streamed once per tile of samples; a W larger than L2 (784 × 256: 784 KiB) then
    // comes from L3 each time, which measured about 20 % slower on Zen 3.
    private const int PanelBytes = 128 * 1024;

    private void EmitBatchForward(SourceWriter w, NetworkModel model, int l)
    {
        var layer = model.Layers[l];
        int inputs = layer.Inputs, size = layer.Size;
        int vectorEnd = inputs / Lanes * Lanes;
        int rowsBlocked = size / TileRows * TileRows;
        int panelRows = System.Math.Max(1, PanelBytes / (inputs * sizeof(float)) / TileRows) * TileRows;
        bool panels = rowsBlocked > panelRows;
        w.Line("/// <summary>Layer " + N(l) + " on n samples: Y[s, j] = Σ_i X[s, i]·W" + N(l) + "[j, i] + b" + N(l) + "[j]"
            + ", in tiles of " + N(TileSamples) + " samples × " + N(TileRows) + " rows (" + N(TileSamples * TileRows) + " accumulators: each load feeds " + N(TileRows) + " or " + N(TileSamples) + " FMAs)"
            + (panels ? ", " + N(panelRows) + " rows of W (" + N(panelRows * inputs * sizeof(float) / 1024) + " KiB) at a time" : string.Empty) + ".</summary>");
        using (w.Block("private static void BatchDenseForward" + N(l) + Suffix + "(ref float w, ref float x, ref float y, int n)"))
        {
            // Rows [rowsBlocked, size) that do not fill a tile go one at a time.
            var rest = rowsBlocked < size ? new[] { (N(rowsBlocked), N(size), 1) } : [];
            if (panels)
            {
                w.Line("// Panels of " + N(panelRows) + " rows: each panel stays in cache while all n samples go through it.");
                using (w.Block("for (int p = 0; p < " + N(rowsBlocked) + "; p += " + N(panelRows) + ")"))
                {
                    w.Line("int pe = global::System.Math.Min(p + " + N(panelRows) + ", " + N(rowsBlocked) + ");");
                    EmitForwardSamples(w, inputs, size, vectorEnd, layer.WeightCount, [("p", "pe", TileRows)]);
                }
                if (rest.Length > 0) EmitForwardSamples(w, inputs, size, vectorEnd, layer.WeightCount, rest);
            }
            else
            {
                var blocked = rowsBlocked > 0 ? new[] { ("0", N(rowsBlocked), TileRows) } : [];
                EmitForwardSamples(w, inputs, size, vectorEnd, layer.WeightCount, [.. blocked, .. rest]);
            }
        }
        w.Line();
    }

    // All samples, TileSamples at a time then one by one; for each, the row ranges [From, To) in tiles of Rows rows.
    private void EmitForwardSamples(SourceWriter w, int inputs, int size, int vectorEnd, int biasOffset,
        (string From, string To, int Rows)[] rowRanges)
    {
        foreach (int samples in new[] { TileSamples, 1 })
        {
            using (w.Block(samples == 1 ? "for (int s = n - n % " + N(TileSamples) + "; s < n; s++)" : "for (int s = 0; s + " + N(samples) + " <= n; s += " + N(samples) + ")"))
            {
                w.Line("ref float xs = ref " + At("x", "s * " + N(inputs)) + ";");
                w.Line("ref float ys = ref " + At("y", "s * " + N(size)) + ";");
                foreach (var (from, to, rows) in rowRanges)
                {
                    using (w.Block("for (int j = " + from + "; j < " + to + "; j" + (rows == 1 ? "++" : " += " + N(rows)) + ")"))
                    {
                        EmitForwardTile(w, inputs, size, vectorEnd, samples, rows, biasOffset);
                    }
                }
            }
        }
    }

    private void EmitForwardTile(SourceWriter w, int inputs, int size, int vectorEnd, int samples, int rows, int biasOffset)
    {
        w.Line("ref float row = ref " + At("w", "j * " + N(inputs)) + ";");
        if (vectorEnd > 0)
        {
            for (int s = 0; s < samples; s++)
                for (int r = 0; r < rows; r++)
                    w.Line(VectorOfFloat + " a" + N(s) + N(r) + " = " + VectorOfFloat + ".Zero;");
            using (w.Block("for (nuint i = 0; i < " + N(vectorEnd) + "; i += " + N(Lanes) + ")"))
            {
                for (int r = 0; r < rows; r++) w.Line(VectorOfFloat + " w" + N(r) + " = " + Load("row", Offset("i", r * inputs)) + ";");
                for (int s = 0; s < samples; s++)
                {
                    w.Line("{");
                    w.Indent();
                    w.Line(VectorOfFloat + " xv = " + Load("xs", Offset("i", s * inputs)) + ";");
                    for (int r = 0; r < rows; r++) w.Line("a" + N(s) + N(r) + " = " + Fma("xv", "w" + N(r), "a" + N(s) + N(r)) + ";");
                    w.Unindent();
                    w.Line("}");
                }
            }
        }
        if (vectorEnd > 0)
        {
            // row by row, the tile's samples' sums, four accumulators per reduction
            var pairs = new System.Collections.Generic.List<(string Source, string Target)>();
            for (int r = 0; r < rows; r++)
                for (int s = 0; s < samples; s++) pairs.Add(("a" + N(s) + N(r), "y" + N(s) + N(r)));
            EmitSums(w, pairs);
        }
        else
        {
            for (int s = 0; s < samples; s++)
                for (int r = 0; r < rows; r++) w.Line("float y" + N(s) + N(r) + " = 0f;");
        }
        if (vectorEnd < inputs)
        {
            using (w.Block("for (int i = " + N(vectorEnd) + "; i < " + N(inputs) + "; i++)"))
            {
                for (int s = 0; s < samples; s++)
                    for (int r = 0; r < rows; r++)
                        w.Line("y" + N(s) + N(r) + " += " + At("xs", Offset("i", s * inputs)) + " * " + At("row", Offset("i", r * inputs)) + ";");
            }
        }
        for (int s = 0; s < samples; s++)
        {
            for (int r = 0; r < rows; r++)
            {
                w.Line(At("ys", Offset("j", s * size + r)) + " = y" + N(s) + N(r) + " + " + At("w", N(biasOffset) + " + " + Offset("j", r)) + ";");
            }
        }
    }

    // ---- m[j, i] += c·Σ_s Δ[s, j]·X[s, i] (gradient, or SGD step with c = −η/m) ----

    private void EmitBatchOuterProduct(SourceWriter w, NetworkModel model, int l)
    {
        var layer = model.Layers[l];
        int inputs = layer.Inputs, size = layer.Size;
        int vectorEnd = inputs / Lanes * Lanes;
        int columnsBlocked = inputs / (Lanes * OuterVectors) * (Lanes * OuterVectors);
        int rowsBlocked = size / OuterRows * OuterRows;
        w.Line("/// <summary>Layer " + N(l) + " on n samples: m[j, i] += c·Σ_s Δ" + N(l) + "[s, j]·X[s, i] and m_b[j] += c·Σ_s Δ" + N(l)
            + "[s, j] (c = 1/m for the mean gradient, −η/m for an SGD step), in tiles of " + N(OuterRows) + " rows × " + N(Lanes * OuterVectors) + " columns.</summary>");
        using (w.Block("private void BatchOuterProduct" + N(l) + Suffix + "(ref float m, float c, ref float x, int n)"))
        {
            w.Line("ref float d = ref _bd" + N(l) + ".Reference;");
            w.Line(VectorOfFloat + " cv = " + Vector + ".Create(c);");
            // Column strips outside, rows inside: a strip of X (n × 24 floats) stays in L1 while every row block uses it.
            if (columnsBlocked > 0)
            {
                using (w.Block("for (int i = 0; i < " + N(columnsBlocked) + "; i += " + N(Lanes * OuterVectors) + ")"))
                {
                    EmitOuterRows(w, inputs, size, rowsBlocked, OuterVectors);
                }
            }
            if (columnsBlocked < vectorEnd)
            {
                using (w.Block("for (int i = " + N(columnsBlocked) + "; i < " + N(vectorEnd) + "; i += " + N(Lanes) + ")"))
                {
                    EmitOuterRows(w, inputs, size, rowsBlocked, 1);
                }
            }
            if (vectorEnd < inputs)
            {
                w.Line("// the last " + N(inputs - vectorEnd) + " columns, one at a time");
                using (w.Block("for (int j = 0; j < " + N(size) + "; j++)"))
                {
                    using (w.Block("for (int i = " + N(vectorEnd) + "; i < " + N(inputs) + "; i++)"))
                    {
                        w.Line("float sum = 0f;");
                        w.Line("for (int s = 0; s < n; s++) sum += " + At("d", "s * " + N(size) + " + j") + " * " + At("x", "s * " + N(inputs) + " + i") + ";");
                        w.Line(At("m", "j * " + N(inputs) + " + i") + " += c * sum;");
                    }
                }
            }
            int biasVectorEnd = size / Lanes * Lanes;
            string bias = N(layer.WeightCount);
            if (biasVectorEnd > 0)
            {
                // Σ_s for one bias at a time would be a chain of n dependent adds; a vector sums Lanes biases side by side,
                // each still in sample order, so the result is the same.
                w.Line("// biases: m_b[j] += c·Σ_s Δ[s, j], " + N(Lanes) + " at a time");
                using (w.Block("for (int j = 0; j < " + N(biasVectorEnd) + "; j += " + N(Lanes) + ")"))
                {
                    w.Line(VectorOfFloat + " sum = " + VectorOfFloat + ".Zero;");
                    w.Line("for (int s = 0; s < n; s++) sum += " + Load("d", "s * " + N(size) + " + j") + ";");
                    w.Line(Store(Load("m", bias + " + j") + " + cv * sum", "m", bias + " + j") + ";");
                }
            }
            if (biasVectorEnd < size)
            {
                w.Line("// " + (biasVectorEnd > 0 ? "the last biases" : "biases") + ": m_b[j] += c·Σ_s Δ[s, j]");
                using (w.Block("for (int j = " + N(biasVectorEnd) + "; j < " + N(size) + "; j++)"))
                {
                    w.Line("float sum = 0f;");
                    w.Line("for (int s = 0; s < n; s++) sum += " + At("d", "s * " + N(size) + " + j") + ";");
                    w.Line(At("m", bias + " + j") + " += c * sum;");
                }
            }
        }
        w.Line();
    }

    private void EmitOuterRows(SourceWriter w, int inputs, int size, int rowsBlocked, int vectors)
    {
        if (rowsBlocked > 0)
        {
            using (w.Block("for (int j = 0; j < " + N(rowsBlocked) + "; j += " + N(OuterRows) + ")"))
            {
                EmitOuterTile(w, inputs, size, OuterRows, vectors, rowsBlocked);
            }
        }
        if (rowsBlocked < size)
        {
            using (w.Block("for (int j = " + N(rowsBlocked) + "; j < " + N(size) + "; j++)"))
            {
                EmitOuterTile(w, inputs, size, 1, vectors, 0);
            }
        }
    }

    private void EmitOuterTile(SourceWriter w, int inputs, int size, int rows, int vectors, int rowsBlocked)
    {
        if (rowsBlocked > rows)
        {
            // The rows below are walked with a stride the hardware prefetchers do not follow, and each tile reads and
            // writes its block of m only after its n·rows·vectors FMAs: ask for the next tile's block now.
            int width = vectors * Lanes;
            w.Line("// Prefetch the next tile's block of m: this tile reads and writes its own only after its FMAs, and rows " + N(rows) + " apart defeat the hardware prefetchers.");
            using (w.Block("if (j + " + N(rows) + " < " + N(rowsBlocked) + ")"))
            {
                w.Line("ref float next = ref " + At("m", "(j + " + N(rows) + ") * " + N(inputs) + " + i") + ";");
                for (int r = 0; r < rows; r++)
                {
                    // one prefetch per 64-byte line (16 floats)
                    for (int offset = 0; offset < width; offset += 16) w.Line(Prefetch + "(ref " + At("next", N(r * inputs + offset)) + ");");
                    if (width % 16 != 0) // the block may end in one more cache line
                        w.Line(Prefetch + "(ref " + At("next", N(r * inputs + width - 1)) + ");");
                }
            }
        }
        for (int r = 0; r < rows; r++)
            for (int v = 0; v < vectors; v++)
                w.Line(VectorOfFloat + " a" + N(r) + N(v) + " = " + VectorOfFloat + ".Zero;");
        // xo and dof walk X[s, i…] and Δ[s, j…] by adding a row length per sample: no multiply in the loop.
        w.Line("nuint xo = (nuint)i, dof = (nuint)j;");
        using (w.Block("for (int s = 0; s < n; s++, xo += " + N(inputs) + ", dof += " + N(size) + ")"))
        {
            for (int v = 0; v < vectors; v++) w.Line(VectorOfFloat + " x" + N(v) + " = " + Load("x", Offset("xo", v * Lanes)) + ";");
            for (int r = 0; r < rows; r++)
            {
                w.Line("{");
                w.Indent();
                w.Line(VectorOfFloat + " dv = " + Vector + ".Create(" + At("d", Offset("dof", r)) + ");");
                for (int v = 0; v < vectors; v++) w.Line("a" + N(r) + N(v) + " = " + Fma("dv", "x" + N(v), "a" + N(r) + N(v)) + ";");
                w.Unindent();
                w.Line("}");
            }
        }
        w.Line("ref float mr = ref " + At("m", "j * " + N(inputs) + " + i") + ";");
        for (int r = 0; r < rows; r++)
            for (int v = 0; v < vectors; v++)
            {
                string index = N(r * inputs + v * Lanes);
                w.Line(Store(Fma("cv", "a" + N(r) + N(v), Load("mr", index)), "mr", index) + ";");
            }
    }

    // ---- Δ_below[s, i] = (Σ_j Δ[s, j]·W[j, i])·f′(A_below[s, i]) ----

    private void EmitBatchBackpropagate(SourceWriter w, NetworkModel model, int l)
    {
        var layer = model.Layers[l];
        var below = model.Layers[l - 1];
        int inputs = layer.Inputs, size = layer.Size;
        int vectorEnd = inputs / Lanes * Lanes;
        int columnsBlocked = inputs / (Lanes * BackVectors) * (Lanes * BackVectors);
        w.Line("/// <summary>Back through layer " + N(l) + " on n samples: Δ" + N(l - 1) + "[s, i] = (Σ_j Δ" + N(l) + "[s, j]·W" + N(l) + "[j, i])·f′(Z" + N(l - 1)
            + "[s, i]), f′ = " + DerivativeFormula(below.Activation) + ", in tiles of " + N(BackSamples) + " samples × " + N(Lanes * BackVectors) + " columns.</summary>");
        using (w.Block("private void BatchBackpropagate" + N(l) + Suffix + "(int n)"))
        {
            w.Line("ref float w = ref " + At("_parameters.Reference", "W" + N(l)) + ";");
            w.Line("ref float d = ref _bd" + N(l) + ".Reference;");
            w.Line("ref float below = ref _bd" + N(l - 1) + ".Reference;");
            w.Line("ref float a = ref _ba" + N(l - 1) + ".Reference;");
            if (HiddenKeepsZ(model, l - 1)) w.Line("ref float z = ref _bz" + N(l - 1) + ".Reference;");
            w.Line("int s = 0;");
            using (w.Block("for (; s + " + N(BackSamples) + " <= n; s += " + N(BackSamples) + ")"))
            {
                EmitBackColumns(w, inputs, size, vectorEnd, columnsBlocked, BackSamples, below.Activation);
            }
            using (w.Block("for (; s < n; s++)"))
            {
                EmitBackColumns(w, inputs, size, vectorEnd, columnsBlocked, 1, below.Activation);
            }
            if (vectorEnd < inputs)
            {
                w.Line("// the last " + N(inputs - vectorEnd) + " columns, one at a time");
                using (w.Block("for (s = 0; s < n; s++)"))
                {
                    using (w.Block("for (int i = " + N(vectorEnd) + "; i < " + N(inputs) + "; i++)"))
                    {
                        w.Line("float sum = 0f;");
                        w.LoopLine("for (int j = 0; j < " + N(size) + "; j++)", "sum += " + At("d", "s * " + N(size) + " + j") + " * " + At("w", "j * " + N(inputs) + " + i") + ";");
                        string index = "s * " + N(inputs) + " + i";
                        var derivative = OperatorTable.Derivative(below.Activation, At(OperatorTable.DerivativeZ(below.Activation, "z", "a"), index), At("a", index));
                        w.Line(At("below", "s * " + N(inputs) + " + i") + " = " + (derivative is null ? "sum" : "sum * " + derivative) + ";");
                    }
                }
            }
        }
        w.Line();
    }

    private void EmitBackColumns(SourceWriter w, int inputs, int size, int vectorEnd, int columnsBlocked, int samples, ActivationKind activation)
    {
        if (columnsBlocked > 0)
        {
            using (w.Block("for (int i = 0; i < " + N(columnsBlocked) + "; i += " + N(Lanes * BackVectors) + ")"))
            {
                EmitBackTile(w, inputs, size, samples, BackVectors, activation);
            }
        }
        if (columnsBlocked < vectorEnd)
        {
            using (w.Block("for (int i = " + N(columnsBlocked) + "; i < " + N(vectorEnd) + "; i += " + N(Lanes) + ")"))
            {
                EmitBackTile(w, inputs, size, samples, 1, activation);
            }
        }
    }

    private void EmitBackTile(SourceWriter w, int inputs, int size, int samples, int vectors, ActivationKind activation)
    {
        for (int s = 0; s < samples; s++)
            for (int v = 0; v < vectors; v++)
                w.Line(VectorOfFloat + " a" + N(s) + N(v) + " = " + VectorOfFloat + ".Zero;");
        w.Line("ref float ds = ref " + At("d", "s * " + N(size)) + ";");
        using (w.Block("for (int j = 0; j < " + N(size) + "; j++)"))
        {
            w.Line("ref float wr = ref " + At("w", "j * " + N(inputs) + " + i") + ";");
            for (int v = 0; v < vectors; v++) w.Line(VectorOfFloat + " w" + N(v) + " = " + Load("wr", N(v * Lanes)) + ";");
            for (int s = 0; s < samples; s++)
            {
                w.Line("{");
                w.Indent();
                w.Line(VectorOfFloat + " dv = " + Vector + ".Create(" + At("ds", Offset("j", s * size)) + ");");
                for (int v = 0; v < vectors; v++) w.Line("a" + N(s) + N(v) + " = " + Fma("dv", "w" + N(v), "a" + N(s) + N(v)) + ";");
                w.Unindent();
                w.Line("}");
            }
        }
        for (int s = 0; s < samples; s++)
        {
            for (int v = 0; v < vectors; v++)
            {
                string index = "(s" + (s == 0 ? string.Empty : " + " + N(s)) + ") * " + N(inputs) + " + i" + (v == 0 ? string.Empty : " + " + N(v * Lanes));
                string acc = "a" + N(s) + N(v);
                string? derivative = OperatorTable.Derivative(activation, Load(OperatorTable.DerivativeZ(activation, "z", "a"), index), Load("a", index));
                w.Line(Store(derivative is null ? acc : acc + " * " + derivative, "below", index) + ";");
            }
        }
    }

    private static string Offset(string variable, int offset) => offset == 0 ? variable : variable + " + " + N(offset);
}
