using System.Linq;
using Microsoft.CodeAnalysis.Text;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// One test per diagnostic id. The source marks the expected location with [| |]; each bad declaration must give
/// exactly that one FN error there, no generated code for that network, and no generator crash.
/// </summary>
public class DiagnosticTests
{
    private static void AssertSingle(string id, string markup, CSharpParseOptions? options = null)
    {
        int start = markup.IndexOf("[|", System.StringComparison.Ordinal);
        int end = markup.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        string source = markup.Replace("[|", string.Empty).Replace("|]", string.Empty);
        var expected = TextSpan.FromBounds(start, end);

        var result = GeneratorHarness.Run(options ?? GeneratorHarness.ParseOptions, "using FixedNet;\n" + source);
        var diagnostic = Assert.Single(result.FixedNetDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity);
        var span = diagnostic.Location.SourceSpan;
        Assert.Equal(expected, new TextSpan(span.Start - "using FixedNet;\n".Length, span.Length));
        if (StandInIds.Contains(id))
        {
            // An error in what a layer computes still generates the members (from a stand-in), and they compile.
            Assert.Contains("this code stands in", Assert.Single(result.Sources).Value, System.StringComparison.Ordinal);
            Assert.Empty(result.CompilationErrors);
        }
        else
        {
            Assert.Empty(result.Sources);
        }
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001");
    }

    private static readonly string[] StandInIds = ["FN0008", "FN0009", "FN0010", "FN0011", "FN0029", "FN0030"];

    // Code that uses the network: without the stand-in members, each line is a CS1061 or CS0117 that buries the FN error.
    private const string Usage = """
        public static class Use
        {
            public static float Run()
            {
                var net = new Net();
                var x = new float[Net.InputSize];
                var y = new float[Net.OutputSize];
                net.Forward(x, y);
                net.TrainStep(x, y, 0.1f);
                net.InitializeParameters(1);
                return net.ComputeLoss(x, y) + net.Parameters.Length + net.Clone().Parameters[0];
            }
        }
        """;

    [Theory]
    [InlineData("[Network(2)] [Dense(3, Activation.Softmax)] [Dense(2)]", "FN0008")]
    [InlineData("[Network(2, Loss = Loss.CrossEntropy)] [Dense(40, Activation.ReLU)] [Dense(2, Activation.Sigmoid)]", "FN0009")]
    [InlineData("[Network(2, Loss = Loss.BinaryCrossEntropy)] [Dense(2, Activation.Softmax)]", "FN0010")]
    [InlineData("[Network(2)] [Dense(2, (Activation)42)]", "FN0011")]
    [InlineData("[Network(2, Loss = (Loss)9)] [Dense(2, Activation.Tanh)]", "FN0011")]
    [InlineData("[Network(2)] [Dense(3, Activation.Tanh)] [Dropout(1)] [Dense(2)]", "FN0029")]
    [InlineData("[Network(2)] [Dropout(0.2)] [Dense(3, Activation.Tanh)] [Dense(2)]", "FN0030")]
    public void ActivationAndLossErrors_AreTheOnlyErrors_AtCallSites(string attributes, string id)
    {
        var result = GeneratorHarness.Run("using FixedNet;\n" + attributes + " public partial class Net { }", Usage);
        Assert.Equal(id, Assert.Single(result.FixedNetDiagnostics).Id);
        Assert.Empty(result.CompilationErrors);
    }

    [Fact]
    public void ShapeErrors_GenerateNothing()
    {
        // Sizes that are wrong leave no shape to stand in for: no members, and the call sites do not compile.
        var result = GeneratorHarness.Run("using FixedNet;\n[Network(0)] [Dense(2, Activation.Softmax)] [Dense(2)] public partial class Net { }", Usage);
        Assert.Equal(["FN0004", "FN0008"], result.FixedNetDiagnostics.Select(d => d.Id).OrderBy(i => i));
        Assert.Empty(result.Sources);
        Assert.Contains(result.CompilationErrors, d => d.Id == "CS0117");
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp7_3)]
    [InlineData(LanguageVersion.CSharp10)]
    public void FN0014_LanguageVersionBelow11(LanguageVersion version) => AssertSingle("FN0014", """
        [Network(2)]
        [Dense(1)]
        public partial class [|Old|] { }
        """, new CSharpParseOptions(version));

    [Fact]
    public void FN0014_NotForCSharp11() =>
        Assert.Empty(GeneratorHarness.Run(new CSharpParseOptions(LanguageVersion.CSharp11), GeneratorHarness.SmallNetwork).FixedNetDiagnostics);

    [Fact]
    public void FN0015_FileLocalClass() => AssertSingle("FN0015", """
        [Network(2)]
        [Dense(1)]
        file partial class [|Hidden|] { }
        """);

    [Fact]
    public void FN0016_PublicMemberTaken() => AssertSingle("FN0016", """
        [Network(2)]
        [Dense(1)]
        public partial class Net { public string [|Architecture|] => "mine"; }
        """);

    [Fact]
    public void FN0016_PrivateMemberTaken() => AssertSingle("FN0016", """
        [Network(20)]
        [Dense(20, Activation.Tanh)]
        [Dense(1)]
        public partial class Net { private int [|_core|]; }
        """);

    [Fact]
    public void FN0016_NotForOtherNames()
    {
        var result = GeneratorHarness.Run("""
            using FixedNet;
            [Network(2)]
            [Dense(1)]
            public partial class Net { public int Epochs { get; set; } public void Run() { } }
            [Network(20)]
            [Dense(40, Activation.Tanh)]
            [Dense(1)]
            public partial class Wide
            {
                // the names of the passes and buffers of the core (FixedNet.Generated.WideCore), free in the class itself
                private void RunForward() { }
                private float[] _parameters = new float[1];
                private struct Shape20x40 { }
                private void TrainBatchCore() { }
            }
            """);
        Assert.Empty(result.FixedNetDiagnostics);
        Assert.Empty(result.CompilationErrors);
    }

    [Fact]
    public void FN0001_ClassNotPartial() => AssertSingle("FN0001", """
        [Network(2)]
        [Dense(1)]
        public class [|Plain|] { }
        """);

    [Fact]
    public void FN0001_ContainingTypeNotPartial() => AssertSingle("FN0001", """
        public class [|Outer|]
        {
            [Network(2)]
            [Dense(1)]
            public partial class Inner { }
        }
        """);

    [Fact]
    public void FN0002_GenericClass() => AssertSingle("FN0002", """
        [Network(2)]
        [Dense(1)]
        public partial class [|Net|]<T> { }
        """);

    [Fact]
    public void FN0002_NestedInGenericType() => AssertSingle("FN0002", """
        public partial class Outer<T>
        {
            [Network(2)]
            [Dense(1)]
            public partial class [|Net|] { }
        }
        """);

    [Fact]
    public void FN0003_StaticClass() => AssertSingle("FN0003", """
        [Network(2)]
        [Dense(1)]
        public static partial class [|Net|] { }
        """);

    [Fact]
    public void FN0003_Record() => AssertSingle("FN0003", """
        [Network(2)]
        [Dense(1)]
        public partial record [|Net|];
        """);

    [Fact]
    public void FN0003_Struct()
    {
        // A struct also gets the compiler's CS0592 (the attribute targets classes); the generator must still explain and not crash.
        var result = GeneratorHarness.Run("using FixedNet;\n[Network(2)]\n[Dense(1)]\npublic partial struct Net { }");
        Assert.Equal("FN0003", Assert.Single(result.FixedNetDiagnostics).Id);
        Assert.Empty(result.Sources);
    }

    [Fact]
    public void FN0004_InputSizeNotPositive() => AssertSingle("FN0004", """
        [Network([|0|])]
        [Dense(1)]
        public partial class Net { }
        """);

    [Fact]
    public void FN0005_LayerSizeNotPositive() => AssertSingle("FN0005", """
        [Network(2)]
        [Dense(4, Activation.ReLU)]
        [Dense([|-3|], Activation.Sigmoid)]
        public partial class Net { }
        """);

    [Fact]
    public void FN0006_NoLayers() => AssertSingle("FN0006", """
        [[|Network(4)|]]
        public partial class Net { }
        """);

    [Fact]
    public void FN0007_DenseWithoutNetwork() => AssertSingle("FN0007", """
        [[|Dense(3)|]]
        public partial class Net { }
        """);

    [Fact]
    public void FN0007_DropoutWithoutNetwork() => AssertSingle("FN0007", """
        [[|Dropout(0.2)|]]
        public partial class Net { }
        """);

    [Fact]
    public void FN0008_SoftmaxNotLast() => AssertSingle("FN0008", """
        [Network(2)]
        [[|Dense(3, Activation.Softmax)|]]
        [Dense(1)]
        public partial class Net { }
        """);

    [Fact]
    public void FN0009_CrossEntropyWithoutSoftmax() => AssertSingle("FN0009", """
        [[|Network(2, Loss = Loss.CrossEntropy)|]]
        [Dense(3, Activation.Sigmoid)]
        public partial class Net { }
        """);

    [Fact]
    public void FN0010_BinaryCrossEntropyWithoutSigmoid() => AssertSingle("FN0010", """
        [[|Network(2, Loss = Loss.BinaryCrossEntropy)|]]
        [Dense(3, Activation.Softmax)]
        public partial class Net { }
        """);

    [Theory]
    [InlineData("1")]
    [InlineData("1.0000001")]
    [InlineData("-0.1")]
    [InlineData("double.NaN")]
    [InlineData("0.999999999")] // below 1, but 1 as a float
    public void FN0029_DropoutProbabilityOutsideZeroToOne(string p) => AssertSingle("FN0029", $$"""
        [Network(2)]
        [Dense(3, Activation.Tanh)]
        [Dropout([|{{p}}|])]
        [Dense(1)]
        public partial class Net { }
        """);

    [Theory]
    [InlineData("[Network(2)] [[|Dropout(0.1)|]] [Dense(3, Activation.Tanh)] [Dense(1)]", "comes before the first [Dense] layer")]
    [InlineData("[Network(2)] [Dense(3, Activation.Tanh)] [Dense(1)] [[|Dropout|]]", "comes after the last [Dense] layer")]
    [InlineData("[Network(2)] [Dense(3, Activation.Tanh)] [Dropout(0.1)] [[|Dropout(0.2)|]] [Dense(1)]", "follows another [Dropout]")]
    public void FN0030_DropoutNotBetweenDenseLayers(string markup, string why)
    {
        AssertSingle("FN0030", markup + " public partial class Net { }");
        var result = GeneratorHarness.Run("using FixedNet;\n" + markup.Replace("[|", string.Empty).Replace("|]", string.Empty) + " public partial class Net { }");
        Assert.Contains(why, Assert.Single(result.FixedNetDiagnostics).GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.5")]
    [InlineData("0.99")]
    public void Dropout_InZeroToOne_IsValid(string p)
    {
        var result = GeneratorHarness.Run("using FixedNet;\n[Network(2)] [Dense(3, Activation.Tanh)] [Dropout(" + p + ")] [Dense(1)] public partial class Net { }", Usage);
        Assert.Empty(result.FixedNetDiagnostics);
        Assert.Empty(result.CompilationErrors);
        Assert.Equal(p != "0", Assert.Single(result.Sources).Value.Contains("Dropout.Apply", System.StringComparison.Ordinal));
    }

    // The activation and loss errors say what to write instead, not only what is wrong.
    [Theory]
    [InlineData("[Network(2)] [Dense(3, Activation.Softmax)] [Dense(1)]", "FN0008", "Activation.ReLU")]
    [InlineData("[Network(2, Loss = Loss.CrossEntropy)] [Dense(1, Activation.Sigmoid)]", "FN0009", "Loss.BinaryCrossEntropy with a Sigmoid last layer")]
    [InlineData("[Network(2, Loss = Loss.BinaryCrossEntropy)] [Dense(3, Activation.Softmax)]", "FN0010", "Loss.CrossEntropy with a Softmax last layer")]
    public void ActivationAndLossErrors_NameTheAlternative(string attributes, string id, string alternative)
    {
        var diagnostic = Assert.Single(GeneratorHarness.Run("using FixedNet;\n" + attributes + " public partial class Net { }").FixedNetDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(alternative, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void FN0011_UnknownActivation() => AssertSingle("FN0011", """
        [Network(2)]
        [Dense(2, [|(Activation)42|])]
        public partial class Net { }
        """);

    [Fact]
    public void FN0011_UnknownLoss() => AssertSingle("FN0011", """
        [Network(2, [|Loss = (Loss)9|])]
        [Dense(2)]
        public partial class Net { }
        """);

    [Fact]
    public void FN0012_TooLarge() => AssertSingle("FN0012", """
        [[|Network(100000)|]]
        [Dense(1000, Activation.ReLU)]
        public partial class Net { }
        """);

    [Fact]
    public void FN0013_LayersSplitOverPartialDeclarations() => AssertSingle("FN0013", """
        [Network(2)]
        [Dense(3, Activation.Tanh)]
        public partial class Net { }

        [[|Dense(1)|]]
        public partial class Net { }
        """);

    [Fact]
    public void ErrorInOneNetwork_DoesNotStopTheOthers()
    {
        var result = GeneratorHarness.Run("""
            using FixedNet;
            [Network(0)] [Dense(1)] public partial class Broken { }
            [Network(2)] [Dense(1)] public partial class Fine { }
            """);
        Assert.Equal("FN0004", Assert.Single(result.FixedNetDiagnostics).Id);
        Assert.Equal("Fine.g.cs", Assert.Single(result.Sources).Key);
    }

    [Fact]
    public void Diagnostic_PointsIntoTheUsersSource()
    {
        var result = GeneratorHarness.Run("using FixedNet;\n[Network(0)] [Dense(1)] public partial class Broken { }");
        var diagnostic = Assert.Single(result.FixedNetDiagnostics);
        // A location in the user's tree is what lets '#pragma warning disable FN0004' and .editorconfig apply.
        Assert.True(diagnostic.Location.IsInSource);
        Assert.Equal("Source0.cs", diagnostic.Location.SourceTree!.FilePath);
        Assert.Equal("The input size of 'Broken' is 0; it must be at least 1", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Diagnostic_LandsInItsOwnTree_WhenTreesShareAPathOrHaveNone()
    {
        // Two trees without a path: the error is in the second, at a span that also exists in the (longer) first.
        const string padding = "// a longer first file, so that the second file's span fits inside it as well ...................\n";
        var first = CSharpSyntaxTree.ParseText(padding + padding + GeneratorHarness.SmallNetwork, GeneratorHarness.ParseOptions);
        var second = CSharpSyntaxTree.ParseText("using FixedNet;\n[Network(0)] [Dense(1)] public partial class Broken { }", GeneratorHarness.ParseOptions);
        Assert.Equal(first.FilePath, second.FilePath);
        var compilation = GeneratorHarness.CreateCompilation().AddSyntaxTrees(first, second);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out _, out var diagnostics);
        var diagnostic = Assert.Single(diagnostics, d => d.Id == "FN0004");
        Assert.Same(second, diagnostic.Location.SourceTree);
        Assert.Equal("0", second.GetText().ToString(diagnostic.Location.SourceSpan));
    }

    [Fact]
    public void EveryPrefixOfADeclaration_NeverCrashesTheGenerator()
    {
        const string valid = GeneratorHarness.SmallNetwork;
        for (int length = 0; length <= valid.Length; length++)
        {
            var result = GeneratorHarness.Run(valid[..length]); // throws if the generator threw
            Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001");
        }
    }
}
