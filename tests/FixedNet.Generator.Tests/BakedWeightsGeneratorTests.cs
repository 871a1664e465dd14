using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// [Network(…, Weights = "…")]: the generator's side of baked weights, with the encoded files the build would hand it
/// (buildTransitive/FixedNet.targets) given directly as additional texts.
/// </summary>
public class BakedWeightsGeneratorTests
{
    private const string Path = "models/w.safetensors";

    // 3 → 4 (tanh) → 2: weights [4, 3] and [2, 4], 26 parameters
    private static string Source(string weights = Path, string extra = "") => $$"""
        using FixedNet;
        namespace Demo;
        [Network(3, Weights = "{{weights}}")]
        [Dense(4, Activation.Tanh)]
        [Dense(2)]
        public partial class Net { {{extra}} }
        public static class Probe { public static float[] Baked() => Net.BakedParameters.ToArray(); public static float[] Initial() => new Net().Parameters.ToArray(); }
        """;

    private sealed class Text(string path, string content) : AdditionalText
    {
        public override string Path { get; } = path;
        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(content, Encoding.UTF8);
    }

    private sealed record Tensor(string Name, string DType, long[] Shape, byte[] Data);

    private static Tensor F32(string name, long[] shape, float[] values) =>
        new(name, "F32", shape, [.. values.SelectMany(BitConverter.GetBytes)]);

    private static byte[] Safetensors(params Tensor[] tensors)
    {
        var header = new Dictionary<string, object>();
        var data = new List<byte>();
        foreach (var t in tensors)
        {
            header[t.Name] = new { dtype = t.DType, shape = t.Shape, data_offsets = new[] { data.Count, data.Count + t.Data.Length } };
            data.AddRange(t.Data);
        }
        header["__metadata__"] = new { format = "pt" };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        return [.. BitConverter.GetBytes((ulong)json.Length), .. json, .. data];
    }

    private static AdditionalText Encoded(byte[] file, string listed = Path) =>
        new Text("obj/fixednet/" + listed.Replace('/', '_') + ".fixednet-weights",
            "FixedNetWeights 1 " + listed + "\n" + Convert.ToBase64String(file, Base64FormattingOptions.InsertLineBreaks) + "\n");

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1))];
    }

    private static Tensor[] Layers(string w0 = "layers.0.weight", string b0 = "layers.0.bias", string w1 = "layers.1.weight", string b1 = "layers.1.bias") =>
    [
        F32(w0, [4, 3], Values(12, 1)), F32(b0, [4], Values(4, 2)),
        F32(w1, [2, 4], Values(8, 3)), F32(b1, [2], Values(2, 4)),
    ];

    private static (GeneratorHarness.Result Result, Diagnostic[] FixedNet) Run(string source, params AdditionalText[] files)
    {
        var compilation = GeneratorHarness.CreateCompilation(source);
        var driver = CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], additionalTexts: files, parseOptions: GeneratorHarness.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var run = driver.GetRunResult();
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        var result = new GeneratorHarness.Result(output, diagnostics, run);
        return (result, [.. result.FixedNetDiagnostics]);
    }

    /// <summary>Compiles the generator's output and calls Probe.Baked() and Probe.Initial().</summary>
    private static (float[] Baked, float[] Initial) Load(Compilation output)
    {
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var context = new AssemblyLoadContext("baked", isCollectible: true);
        try
        {
            stream.Position = 0;
            var probe = context.LoadFromStream(stream).GetType("Demo.Probe")!;
            return ((float[])probe.GetMethod("Baked")!.Invoke(null, null)!, (float[])probe.GetMethod("Initial")!.Invoke(null, null)!);
        }
        finally
        {
            context.Unload();
        }
    }

    private static int[] Bits(IEnumerable<float> values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public void EveryFloat_IsBakedBitForBit_InFixedNetsLayout()
    {
        // awkward values first (−0, the smallest subnormal, a subnormal, the smallest normal, the largest float, thirds), then random bits
        float[] special = [-0f, float.Epsilon, 3e-40f, 1.17549435e-38f, float.MaxValue, -float.MaxValue, 0.1f, 1f / 3, -2f / 3, 16777216f, 1e10f, 123456.789f];
        var random = new Random(7);
        float[] w0 = [.. special];
        float[] rest = new float[14];
        for (int i = 0; i < rest.Length; i++)
        {
            float f;
            do f = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31)); while (!float.IsFinite(f));
            rest[i] = f;
        }
        var (result, diagnostics) = Run(Source(), Encoded(Safetensors(
            F32("layers.1.bias", [2], rest[12..14]), F32("layers.0.weight", [4, 3], w0),
            F32("layers.1.weight", [2, 4], rest[4..12]), F32("layers.0.bias", [4], rest[0..4]))));
        Assert.Empty(diagnostics);
        Assert.Empty(result.CompilationErrors);
        var (baked, initial) = Load(result.Output);
        int[] expected = Bits([.. w0, .. rest[0..4], .. rest[4..12], .. rest[12..14]]);
        Assert.Equal(expected, Bits(baked));
        Assert.Equal(expected, Bits(initial));
    }

    [Fact]
    public void SequentialStateDict_TakesItsLinearLayersInIndexOrder_WithAPrefix()
    {
        // net.2 and net.10: numeric order (2 before 10), not the order of the text
        var tensors = Layers("net.2.weight", "net.2.bias", "net.10.weight", "net.10.bias");
        var (result, diagnostics) = Run(Source(), Encoded(Safetensors([.. tensors.Reverse()])));
        Assert.Empty(diagnostics);
        var (baked, _) = Load(result.Output);
        Assert.Equal(Bits([.. Values(12, 1), .. Values(4, 2), .. Values(8, 3), .. Values(2, 4)]), Bits(baked));
    }

    [Theory]
    [InlineData("F16")]
    [InlineData("BF16")]
    [InlineData("F64")]
    public void OtherFloatTypes_AreConverted_WithAWarningNamingTheTensor(string dtype)
    {
        double[] values = [1.5, -2, 0.1, 6.103515625e-05, 5.960464477539063e-08, 65504, -0.0, 1.0 / 3];
        byte[] data = dtype switch
        {
            "F16" => [.. values.SelectMany(v => BitConverter.GetBytes((Half)v))],
            "BF16" => [.. values.SelectMany(v => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits((float)v) >> 16)))],
            _ => [.. values.SelectMany(BitConverter.GetBytes)],
        };
        float[] expected = dtype switch
        {
            "F16" => [.. values.Select(v => (float)(Half)v)],
            "BF16" => [.. values.Select(v => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits((float)v) & 0xFFFF0000))],
            _ => [.. values.Select(v => (float)v)],
        };
        var tensors = Layers();
        tensors[1] = new Tensor("layers.0.bias", dtype, [4], data[..(data.Length / 2)]);
        tensors[3] = new Tensor("layers.1.bias", dtype, [2], data[(data.Length / 2)..(data.Length / 2 + data.Length / 4)]);
        // the second bias gets 2 of the 4 values that follow
        expected = [.. expected[..4], .. expected[4..6]];
        var (result, diagnostics) = Run(Source(), Encoded(Safetensors(tensors)));
        Assert.Equal(["FN0025", "FN0025"], diagnostics.Select(d => d.Id));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Contains("Tensor 'layers.0.bias' of the weights file 'models/w.safetensors' is " + dtype, diagnostics[0].GetMessage());
        Assert.Contains(dtype == "F64" ? "rounded to nearest" : "exactly", diagnostics[0].GetMessage());
        var (baked, _) = Load(result.Output);
        Assert.Equal(Bits(expected[..4]), Bits(baked[12..16]));
        Assert.Equal(Bits(expected[4..6]), Bits(baked[24..26]));
    }

    public static TheoryData<string, string, string> Mismatches => new()
    {
        // what is wrong, id, a piece of the message
        { "missing bias", "FN0021", "has no tensor 'layers.1.bias' for 'Net'" },
        { "missing layer", "FN0021", "'Net' has 2 dense layers, the file 1 Linear layer" },
        { "extra layer", "FN0022", "has tensor 'layers.2.weight', which is not a parameter of 'Net'" },
        { "extra tensor", "FN0022", "has tensor 'layers.0.running_mean', which is not a parameter of 'Net'" },
        { "not weight or bias", "FN0022", "has tensor 'scale', which is not a parameter" },
        { "two stems", "FN0022", "one common prefix" },
        { "transposed", "FN0023", "Tensor 'layers.0.weight' of the weights file 'models/w.safetensors': expected [4, 3] (outputs × inputs, as torch.nn.Linear: layer 0, 3 → 4), found [3, 4]; transposed?" },
        { "bias shape", "FN0023", "Tensor 'layers.1.bias' of the weights file 'models/w.safetensors': expected [2] (layer 1's outputs), found [1, 2]" },
        { "integer type", "FN0024", "Tensor 'layers.0.weight' of the weights file 'models/w.safetensors' has dtype I32" },
        { "NaN", "FN0026", "Tensor 'layers.1.weight' of the weights file 'models/w.safetensors' holds NaN at index 5" },
        { "infinity", "FN0026", "holds -Infinity at index 0" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public void Mismatch_IsAnErrorAtTheWeightsArgument_NamingTheTensor(string what, string id, string message)
    {
        var tensors = Layers().ToList();
        switch (what)
        {
            case "missing bias": tensors.RemoveAt(3); break;
            case "missing layer": tensors.RemoveRange(2, 2); break;
            case "extra layer": tensors.Add(F32("layers.2.weight", [1, 2], [1f, 2f])); tensors.Add(F32("layers.2.bias", [1], [0f])); break;
            case "extra tensor": tensors.Add(F32("layers.0.running_mean", [4], Values(4, 9))); break;
            case "not weight or bias": tensors.Add(F32("scale", [1], [1f])); break;
            case "two stems": tensors[2] = tensors[2] with { Name = "head.1.weight" }; tensors[3] = tensors[3] with { Name = "head.1.bias" }; break;
            case "transposed": tensors[0] = tensors[0] with { Shape = [3, 4] }; break;
            case "bias shape": tensors[3] = tensors[3] with { Shape = [1, 2] }; break;
            case "integer type": tensors[0] = tensors[0] with { DType = "I32" }; break;
            case "NaN": tensors[2] = F32("layers.1.weight", [2, 4], [1, 2, 3, 4, 5, float.NaN, 7, 8]); break;
            case "infinity": tensors[2] = F32("layers.1.weight", [2, 4], [float.NegativeInfinity, 2, 3, 4, 5, 6, 7, 8]); break;
        }
        var (result, diagnostics) = Run(Source(), Encoded(Safetensors([.. tensors])));
        var error = Assert.Single(diagnostics);
        Assert.Equal(id, error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Contains(message, error.GetMessage());
        AssertAtTheWeightsArgument(error);
        // the network is still generated (from its default initialization), so the FN error is the only one
        Assert.Empty(result.CompilationErrors.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void UnlistedFile_SaysWhichItemToAdd_AndWhatTheProjectLists()
    {
        var (_, diagnostics) = Run(Source());
        var error = Assert.Single(diagnostics);
        Assert.Equal("FN0019", error.Id);
        Assert.Equal("'Net' bakes the weights file 'models/w.safetensors', but the project does not list it: add <FixedNetWeights Include=\"models/w.safetensors\" /> to an ItemGroup (the path relative to the project, as here)", error.GetMessage());
        AssertAtTheWeightsArgument(error);

        (_, diagnostics) = Run(Source(), Encoded(Safetensors(Layers()), "models/other.safetensors"));
        Assert.EndsWith("; it lists 'models/other.safetensors'", Assert.Single(diagnostics).GetMessage());
        (_, diagnostics) = Run(Source(), Encoded(Safetensors(Layers()), "Models/W.safetensors"));
        Assert.EndsWith("; it lists 'Models/W.safetensors', which differs in case", Assert.Single(diagnostics).GetMessage());
        // backslashes and a leading ./ name the same file
        (_, diagnostics) = Run(Source(@"./models\\w.safetensors"), Encoded(Safetensors(Layers())));
        Assert.Empty(diagnostics);
        (_, diagnostics) = Run(Source(""), Encoded(Safetensors(Layers())));
        Assert.Equal("FN0019", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void DamagedFiles_AreFN0020_NamingWhatAndWhere()
    {
        byte[] good = Safetensors(Layers());
        (byte[] File, string Message)[] cases =
        [
            (good[..5], "the file has 5 bytes, fewer than the 8 of a safetensors header length (offset 0)"),
            (good[..40], "runs past the end of the file (40 bytes)"),
            (good[..^4], "tensor 'layers.1.bias': data_offsets [96, 104) lie outside the 100 data bytes"),
            ([.. BitConverter.GetBytes(4UL), .. "{\"a\""u8], "the header (offset 8) is not valid JSON"),
            ([.. BitConverter.GetBytes(2UL), .. "[]"u8], "the header (offset 8) is not a JSON object"),
        ];
        foreach (var (file, message) in cases)
        {
            var (result, diagnostics) = Run(Source(), Encoded(file));
            var error = Assert.Single(diagnostics);
            Assert.Equal("FN0020", error.Id);
            Assert.Contains(message, error.GetMessage());
            Assert.StartsWith("The weights file 'models/w.safetensors' of 'Net' cannot be read: ", error.GetMessage());
            Assert.Empty(result.CompilationErrors.Where(d => d.Severity == DiagnosticSeverity.Error));
        }
        var damaged = new Text("obj/fixednet/x.fixednet-weights", "FixedNetWeights 1 " + Path + "\n@@@not base64@@@\n");
        Assert.Contains("the encoded copy the build made is damaged", Assert.Single(Run(Source(), damaged).FixedNet).GetMessage());
    }

    [Fact]
    public void GeneratedMembers_ClashWithTheUsersOwn_AsFN0016()
    {
        var (_, diagnostics) = Run(Source(extra: "public void ResetParameters() { }"), Encoded(Safetensors(Layers())));
        Assert.Equal("FN0016", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void Incremental_AnUnrelatedEditReusesTheBakedModel_NewWeightsRegenerate()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source());
        var file = Encoded(Safetensors(Layers()));
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], additionalTexts: [file], parseOptions: GeneratorHarness.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGenerators(compilation);
        string first = driver.GetRunResult().Results.Single().GeneratedSources.Single().SourceText.ToString();

        driver = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", GeneratorHarness.ParseOptions)));
        var result = driver.GetRunResult().Results.Single();
        foreach (var step in new[] { TrackingNames.WeightFiles, TrackingNames.BakedNetworks, TrackingNames.BakedModels })
            Assert.All(result.TrackedSteps[step].SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, step + ": " + o.Reason));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

        // the same file content again (a rebuild re-encodes nothing): the model is unchanged
        var same = Encoded(Safetensors(Layers()));
        driver = driver.ReplaceAdditionalText(file, same).RunGenerators(compilation);
        result = driver.GetRunResult().Results.Single();
        Assert.All(result.TrackedSteps[TrackingNames.BakedModels].SelectMany(s => s.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));

        // new weights: regenerated, with the new values
        var tensors = Layers();
        tensors[3] = F32("layers.1.bias", [2], [42f, -42f]);
        driver = driver.ReplaceAdditionalText(same, Encoded(Safetensors(tensors))).RunGenerators(compilation);
        result = driver.GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[TrackingNames.BakedModels].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        string second = result.GeneratedSources.Single().SourceText.ToString();
        Assert.NotEqual(first, second);
        Assert.Contains("42f, -42f,", second);
    }

    private const string FrozenSource = """
        using FixedNet;
        namespace Demo;
        [Network(3, Weights = "models/w.safetensors", Frozen = true)]
        [Dense(4, Activation.Tanh)]
        [Dense(2)]
        public static partial class Net { }
        public static class Probe
        {
            public static float[] Baked() => Net.BakedParameters.ToArray();
            public static float[] Initial() { var y = new float[Net.OutputSize]; Net.Forward(new float[] { 1f, 2f, 3f }, y); return y; }
        }
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a dropout declared for training: inference leaves it out, so the outputs do not change
    public void Frozen_IsAStaticClassWithStaticForward_ComputingFromTheBakedWeights(bool dropout)
    {
        string source0 = dropout ? FrozenSource.Replace("[Dense(4, Activation.Tanh)]", "[Dense(4, Activation.Tanh)]\n[Dropout(0.3)]") : FrozenSource;
        var (result, diagnostics) = Run(source0, Encoded(Safetensors(Layers())));
        Assert.Empty(diagnostics);
        Assert.Empty(result.CompilationErrors);
        string source = result.Sources.Values.Single();
        Assert.DoesNotContain("INetwork", source);
        Assert.DoesNotContain("_parameters", source);
        Assert.Contains("safe to call from any number of threads", source);
        Assert.Equal(dropout, source.Contains("dropout: new float[] { 0.3f, 0f }", StringComparison.Ordinal));
        var (baked, output) = Load(result.Output);
        // y = W1·tanh(W0·x + b0) + b1 in double precision, from the file's values
        float[] w0 = Values(12, 1), b0 = Values(4, 2), w1 = Values(8, 3), b1 = Values(2, 4);
        Assert.Equal(Bits([.. w0, .. b0, .. w1, .. b1]), Bits(baked));
        double[] x = [1, 2, 3], h = new double[4];
        for (int j = 0; j < 4; j++) h[j] = Math.Tanh(b0[j] + w0[3 * j] * x[0] + w0[3 * j + 1] * x[1] + w0[3 * j + 2] * x[2]);
        for (int k = 0; k < 2; k++)
        {
            double y = b1[k];
            for (int j = 0; j < 4; j++) y += w1[4 * k + j] * h[j];
            Assert.True(Math.Abs(y - output[k]) <= 1e-6, $"output {k}: {output[k]} vs {y}");
        }
    }

    [Fact]
    public void Frozen_WithoutWeights_IsFN0027_AndStaticWithoutFrozenStaysFN0003()
    {
        var (_, diagnostics) = Run(Source().Replace("Weights = \"models/w.safetensors\"", "Frozen = true"));
        var error = Assert.Single(diagnostics);
        Assert.Equal("FN0027", error.Id);
        Assert.Equal("Frozen = true", error.Location.SourceTree!.GetText().ToString(error.Location.SourceSpan));
        (_, diagnostics) = Run(FrozenSource.Replace(", Frozen = true", string.Empty), Encoded(Safetensors(Layers())));
        Assert.Equal("FN0003", Assert.Single(diagnostics).Id);
        (_, diagnostics) = Run(FrozenSource.Replace("public static partial class Net { }", "public static partial class Net { static void ForwardBatch() { } }"), Encoded(Safetensors(Layers())));
        Assert.Equal("FN0016", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void Frozen_WithAWideLayer_KeepsItsActivationsInAPerThreadBuffer()
    {
        const int Wide = 16385; // 64 KiB of activations: more than a stack buffer should hold
        var source = FrozenSource.Replace("[Dense(4, Activation.Tanh)]", $"[Dense({Wide}, Activation.Tanh)]").Replace("[Dense(2)]", "[Dense(2, Activation.Sigmoid)]");
        var tensors = new[]
        {
            F32("layers.0.weight", [Wide, 3], new float[Wide * 3]), F32("layers.0.bias", [Wide], new float[Wide]),
            F32("layers.1.weight", [2, Wide], new float[2 * Wide]), F32("layers.1.bias", [2], [0.5f, -0.5f]),
        };
        var (result, diagnostics) = Run(source, Encoded(Safetensors(tensors)));
        Assert.Empty(diagnostics);
        Assert.Contains("[ThreadStatic] private static AlignedBuffer t_scratch;", result.Sources.Values.Single());
        var (_, output) = Load(result.Output);
        Assert.Equal([1 / (1 + MathF.Exp(-0.5f)), 1 / (1 + MathF.Exp(0.5f))], output, (a, b) => Math.Abs(a - b) <= 1e-6f);
    }

    // ---- ONNX ----

    private static byte[] Varint(ulong v)
    {
        var bytes = new List<byte>();
        do { byte b = (byte)(v & 0x7F); v >>= 7; bytes.Add(v != 0 ? (byte)(b | 0x80) : b); } while (v != 0);
        return [.. bytes];
    }

    private static byte[] Message(int field, byte[] content) => [.. Varint((ulong)(field << 3 | 2)), .. Varint((ulong)content.Length), .. content];

    private static byte[] Str(int field, string text) => Message(field, Encoding.UTF8.GetBytes(text));

    private static byte[] Number(int field, long value) => [.. Varint((ulong)(field << 3)), .. Varint((ulong)value)];

    private static byte[] Node(string op, params string[] inputsThenOutput) =>
        Message(1, [.. inputsThenOutput[..^1].SelectMany(i => Str(1, i)), .. Str(2, inputsThenOutput[^1]), .. Str(4, op)]);

    private static byte[] Initializer(string name, long[] dims, float[] values) =>
        Message(5, [.. dims.SelectMany(d => Number(1, d)), .. Number(2, 1), .. Str(8, name), .. Message(9, [.. values.SelectMany(BitConverter.GetBytes)])]);

    private static string RepositoryFile(string relative, [System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file)!, "..", "..", relative);

    [Fact]
    public void Onnx_MatMulAndAdd_AreTransposedIntoFixedNetsLayout_AndActivationsAreChecked()
    {
        // x·W + b with W [3, 4] (inputs × outputs, as MatMul has it), Tanh, then x·V + c with V [4, 2], Softmax
        float[] w = Values(12, 1), b = Values(4, 2), v = Values(8, 3), c = Values(2, 4);
        byte[] graph =
        [
            .. Node("MatMul", "x", "W", "h"), .. Node("Add", "h", "b", "hb"), .. Node("Tanh", "hb", "a"),
            .. Node("MatMul", "a", "V", "o"), .. Node("Add", "c", "o", "ob"), .. Node("Softmax", "ob", "y"),
            .. Initializer("W", [3, 4], w), .. Initializer("b", [4], b), .. Initializer("V", [4, 2], v), .. Initializer("c", [2], c),
        ];
        byte[] model = [.. Number(1, 8), .. Message(7, graph)];
        const string OnnxSource = """
            using FixedNet;
            namespace Demo;
            [Network(3, Weights = "models/w.onnx")]
            [Dense(4, Activation.Tanh)]
            [Dense(2, Activation.Softmax)]
            public partial class Net { }
            public static class Probe { public static float[] Baked() => Net.BakedParameters.ToArray(); public static float[] Initial() => new Net().Parameters.ToArray(); }
            """;
        var (result, diagnostics) = Run(OnnxSource, Encoded(model, "models/w.onnx"));
        Assert.Empty(diagnostics);
        var (baked, _) = Load(result.Output);
        float[] expected = new float[26];
        for (int j = 0; j < 4; j++) for (int i = 0; i < 3; i++) expected[j * 3 + i] = w[i * 4 + j];
        b.CopyTo(expected, 12);
        for (int j = 0; j < 2; j++) for (int i = 0; i < 4; i++) expected[16 + j * 4 + i] = v[i * 2 + j];
        c.CopyTo(expected, 24);
        Assert.Equal(Bits(expected), Bits(baked));

        // the graph's activations against the declaration
        (_, diagnostics) = Run(OnnxSource.Replace("Activation.Tanh", "Activation.ReLU"), Encoded(model, "models/w.onnx"));
        var error = Assert.Single(diagnostics);
        Assert.Equal("FN0028", error.Id);
        Assert.Equal("Dense layer 0 of 'Net' is followed by Tanh in the ONNX model 'models/w.onnx', but its [Dense] declares ReLU", error.GetMessage());
        AssertAtTheWeightsArgument(error);

        // damage: a truncated model, and one that is not protobuf
        foreach (var damaged in new[] { model[..^7], "not an onnx model at all"u8.ToArray() })
        {
            (_, diagnostics) = Run(OnnxSource, Encoded(damaged, "models/w.onnx"));
            Assert.Equal("FN0020", Assert.Single(diagnostics).Id);
        }
    }

    [Fact]
    public void Onnx_ATorchExport_BakesGemmLayers_AndNamesAContradictedActivation()
    {
        byte[] model = File.ReadAllBytes(RepositoryFile("tests/FixedNet.Tests/Fixtures/torch_mlp_4_8_5_3.onnx"));
        const string TorchSource = """
            using FixedNet;
            namespace Demo;
            [Network(4, Weights = "m.onnx")]
            [Dense(8, Activation.ReLU)]
            [Dense(5, Activation.Sigmoid)]
            [Dense(3, Activation.Softmax)]
            public partial class Net { }
            """;
        var (_, diagnostics) = Run(TorchSource, Encoded(model, "m.onnx"));
        Assert.Equal("Dense layer 1 of 'Net' is followed by Tanh in the ONNX model 'm.onnx', but its [Dense] declares Sigmoid", Assert.Single(diagnostics).GetMessage());
        (_, diagnostics) = Run(TorchSource.Replace("[Dense(5, Activation.Sigmoid)]", "[Dense(6, Activation.Tanh)]"), Encoded(model, "m.onnx"));
        Assert.Contains(diagnostics, d => d.Id == "FN0023" && d.GetMessage().Contains("expected [6, 8]"));
    }

    // Whole generated files of baked networks, for review as SnapshotTests' are (FIXEDNET_UPDATE_SNAPSHOTS=1 rewrites them):
    // a small frozen network (unrolled, the weights as constants), a frozen one on the kernels, and a trainable one. The
    // snapshot files compile into this test project, as the others in Snapshots/ do, so each network has its own name.
    [Theory]
    [InlineData("Frozen.Unrolled", 3, 4, true)]
    [InlineData("Frozen.Kernels", 20, 24, true)]
    [InlineData("Trainable", 3, 4, false)]
    public void BakedFile_MatchesSnapshot(string name, int inputs, int hidden, bool frozen)
    {
        string source = $$"""
            using FixedNet;
            namespace Demo;
            [Network({{inputs}}, Weights = "models/w.safetensors"{{(frozen ? ", Frozen = true" : "")}})]
            [Dense({{hidden}}, Activation.Tanh)]
            [Dense(2, Activation.Softmax)]
            public {{(frozen ? "static " : "")}}partial class {{name.Replace(".", "")}} { }
            """;
        var tensors = new[]
        {
            F32("layers.0.weight", [hidden, inputs], Values(hidden * inputs, 1)), F32("layers.0.bias", [hidden], Values(hidden, 2)),
            F32("layers.1.weight", [2, hidden], Values(2 * hidden, 3)), F32("layers.1.bias", [2], Values(2, 4)),
        };
        var (result, diagnostics) = Run(source, Encoded(Safetensors(tensors)));
        Assert.Empty(diagnostics);
        Assert.Empty(result.CompilationErrors);
        string text = result.Sources.Values.Single();
        string path = System.IO.Path.Combine(SnapshotDirectory(), "Baked." + name + ".g.cs");
        if (Environment.GetEnvironmentVariable("FIXEDNET_UPDATE_SNAPSHOTS") == "1") File.WriteAllText(path, text);
        Assert.True(File.Exists(path), $"No snapshot {path}; run with FIXEDNET_UPDATE_SNAPSHOTS=1 to create it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), text);
    }

    private static string SnapshotDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file)!, "Snapshots");

    private static void AssertAtTheWeightsArgument(Diagnostic diagnostic)
    {
        var location = diagnostic.Location;
        Assert.True(location.IsInSource);
        string text = location.SourceTree!.GetText().ToString(location.SourceSpan);
        Assert.StartsWith("Weights = ", text);
    }
}
