using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using FixedNet.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// The code fixes shipped beside the generator, run as an IDE runs them: diagnostics from the generator (FN0001) or the
/// analyzer (FN0018), the provider's action applied to the document, and the result compiled again: the diagnostic is
/// gone and nothing else broke.
/// </summary>
public class CodeFixTests
{
    [Theory]
    [InlineData("[Network(2)] [Dense(1)] public class Net { }", "[Network(2)] [Dense(1)] public partial class Net { }")]
    [InlineData("[Network(2)] [Dense(1)]\nclass Net { }", "[Network(2)] [Dense(1)]\npartial class Net { }")]
    [InlineData("public static class Outer { [Network(2)] [Dense(1)] internal partial class Net { } }", "public static partial class Outer { [Network(2)] [Dense(1)] internal partial class Net { } }")]
    public async Task FN0001_MakesTheTypePartial(string before, string after)
    {
        string prefix = "using FixedNet;\nnamespace Demo;\n";
        string fixedText = await FixAll(prefix + before, "FN0001", source => GeneratorHarness.Run(source).FixedNetDiagnostics.ToImmutableArray());
        Assert.Equal(prefix + after, fixedText);
        var result = GeneratorHarness.Run(fixedText);
        Assert.Empty(result.FixedNetDiagnostics);
        Assert.Empty(result.CompilationErrors);
    }

    private const string Caller = """
        using System;
        using FixedNet;
        namespace Demo;
        [Network(2)] [Dense(3, Activation.Tanh)] [Dense(4)]
        public partial class Net { }
        public static class Caller
        {
            public static void Run(Net net)
            {
                CALL
            }
        }
        """;

    [Theory]
    [InlineData("net.Forward(new float[3], stackalloc float[5]);", "net.Forward(new float[Net.InputSize], stackalloc float[Net.OutputSize]);")]
    [InlineData("net.Backward(new float[2], (new float[4]), new float[1]);", "net.Backward(new float[2], (new float[4]), new float[Net.ParameterCount]);")]
    public async Task FN0018_WritesTheSizeConstant(string before, string after)
    {
        string fixedText = await FixAll(Caller.Replace("CALL", before), "FN0018", SpanLengths);
        Assert.Equal(Caller.Replace("CALL", after), fixedText);
        Assert.Empty(await SpanLengths(fixedText));
        Assert.Empty(GeneratorHarness.Run(fixedText).CompilationErrors);
    }

    [Theory]
    [InlineData("net.Forward([1f, 2f, 3f], new float[4]);")]
    [InlineData("net.Forward(new float[] { 1f, 2f, 3f }, new float[4]);")]
    public async Task FN0018_OffersNoFix_WhereTheValuesAreWhatIsWrong(string call)
    {
        string source = Caller.Replace("CALL", call);
        var diagnostic = Assert.Single(await SpanLengths(source));
        Assert.Empty(await Actions(Document(source), diagnostic));
    }

    [Theory]
    [InlineData("ReLU")]
    [InlineData("Tanh")]
    [InlineData("Sigmoid")]
    public async Task FN0008_PutsAnElementWiseActivationOnTheHiddenLayer(string activation)
    {
        const string before = "using FixedNet;\n[Network(2)]\n[Dense(3, Activation.Softmax)]\n[Dense(1)]\npublic partial class Net { }";
        string after = await Apply([before], "FN0008", "FN0008." + activation);
        Assert.Equal(before.Replace("Activation.Softmax", "Activation." + activation), after);
        AssertClean(after);
    }

    [Theory]
    // The fitting activation on the last layer: replacing the one written, or written where there was none.
    [InlineData("[Network(2, Loss = Loss.CrossEntropy)] [Dense(4, Activation.ReLU)] [Dense(3, Activation.ReLU)]", "FN0009.Activation",
        "[Network(2, Loss = Loss.CrossEntropy)] [Dense(4, Activation.ReLU)] [Dense(3, Activation.Softmax)]")]
    [InlineData("[Network(2, Loss = Loss.CrossEntropy)] [Dense(4, Activation.ReLU)] [Dense(3)]", "FN0009.Activation",
        "[Network(2, Loss = Loss.CrossEntropy)] [Dense(4, Activation.ReLU)] [Dense(3, Activation.Softmax)]")]
    [InlineData("[Network(2, Loss = FixedNet.Loss.BinaryCrossEntropy)] [Dense(3, activation: FixedNet.Activation.Tanh)]", "FN0010.Activation",
        "[Network(2, Loss = FixedNet.Loss.BinaryCrossEntropy)] [Dense(3, activation: FixedNet.Activation.Sigmoid)]")]
    // The other loss, where the last layer already fits it.
    [InlineData("[Network(2, Loss = Loss.CrossEntropy)] [Dense(3, Activation.Sigmoid)]", "FN0009.Loss",
        "[Network(2, Loss = Loss.BinaryCrossEntropy)] [Dense(3, Activation.Sigmoid)]")]
    [InlineData("[Network(2, Loss = Loss.BinaryCrossEntropy)] [Dense(4, Activation.Tanh), Dense(3, Activation.Softmax)]", "FN0010.Loss",
        "[Network(2, Loss = Loss.CrossEntropy)] [Dense(4, Activation.Tanh), Dense(3, Activation.Softmax)]")]
    public async Task FN0009_FN0010_MakeLossAndLastLayerAgree(string before, string key, string after)
    {
        string id = key.Substring(0, 6);
        const string prefix = "using FixedNet;\nnamespace Demo;\n";
        string fixedText = await Apply([prefix + before + " public partial class Net { }"], id, key);
        Assert.Equal(prefix + after + " public partial class Net { }", fixedText);
        AssertClean(fixedText);
    }

    [Theory]
    [InlineData("[Network(2, Loss = Loss.CrossEntropy)] [Dense(3, Activation.ReLU)]", "FN0009")]
    [InlineData("[Network(2, Loss = Loss.BinaryCrossEntropy)] [Dense(3)]", "FN0010")]
    public async Task FN0009_FN0010_OfferTheOtherLoss_OnlyWhereTheLastLayerFitsIt(string attributes, string id)
    {
        string source = "using FixedNet;\n" + attributes + " public partial class Net { }";
        var diagnostic = Assert.Single(GeneratorHarness.Run(source).FixedNetDiagnostics);
        var actions = await Actions(Document(source), diagnostic);
        Assert.Equal([id + ".Activation"], actions.Select(a => a.EquivalenceKey));
    }

    [Fact]
    public async Task FN0013_MovesTheLayersOntoTheNetworkDeclaration_InOneFile()
    {
        const string before = """
            using FixedNet;
            namespace Demo;
            [Network(2)]
            [Dense(3, Activation.Tanh)]
            public partial class Net { }

            [Dense(4, Activation.ReLU), System.Obsolete]
            [Dense(1)]
            public partial class Net { }
            """;
        const string after = """
            using FixedNet;
            namespace Demo;
            [Network(2)]
            [Dense(3, Activation.Tanh)]
            [Dense(4, Activation.ReLU)]
            [Dense(1)]
            public partial class Net { }

            [System.Obsolete]
            public partial class Net { }
            """;
        string fixedText = await Apply([before], "FN0013", "FN0013");
        Assert.Equal(after, fixedText);
        AssertClean(fixedText);
        Assert.Contains("Layers = [3, 4, 1]", Architecture(fixedText), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task FN0013_MovesTheLayersOntoTheNetworkDeclaration_AcrossFiles()
    {
        string[] before =
        [
            "using FixedNet;\nnamespace Demo;\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { public int Mine => 1; }",
            "using FixedNet;\nnamespace Demo;\n[Network(2, Loss = Loss.BinaryCrossEntropy)]\n[Dense(5, Activation.ReLU)]\npublic partial class Net { }",
        ];
        var (first, second) = await ApplyAll(before, "FN0013", "FN0013");
        Assert.Equal("using FixedNet;\nnamespace Demo;\npublic partial class Net { public int Mine => 1; }", first);
        Assert.Equal("using FixedNet;\nnamespace Demo;\n[Network(2, Loss = Loss.BinaryCrossEntropy)]\n[Dense(5, Activation.ReLU)]\n[Dense(1, Activation.Sigmoid)]\npublic partial class Net { }", second);
        var result = GeneratorHarness.Run(first, second);
        Assert.Empty(result.FixedNetDiagnostics);
        Assert.Empty(result.CompilationErrors);
    }

    private static void AssertClean(string source)
    {
        var result = GeneratorHarness.Run(source);
        Assert.Empty(result.FixedNetDiagnostics);
        Assert.Empty(result.CompilationErrors);
        Assert.DoesNotContain("stands in", Assert.Single(result.Sources).Value, System.StringComparison.Ordinal);
    }

    // The layer sizes in the generated class's layer table ("/// dense_0   3 …"), as "Layers = [3, 4, 1]".
    private static string Architecture(string source) =>
        "Layers = [" + string.Join(", ", GeneratorHarness.Run(source).Sources.Values.Single().Split('\n')
            .Where(l => l.TrimStart().StartsWith("/// dense_", System.StringComparison.Ordinal))
            .Select(l => l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries)[2])) + "]";

    // Applies the action with this equivalence key to the first diagnostic with this id; returns the first document's text.
    private static async Task<string> Apply(string[] sources, string id, string key) => (await ApplyAll(sources, id, key)).First;

    private static async Task<(string First, string Second)> ApplyAll(string[] sources, string id, string key)
    {
        var diagnostic = GeneratorHarness.Run(sources).FixedNetDiagnostics.First(d => d.Id == id);
        var documents = Documents(sources);
        var document = documents[int.Parse(diagnostic.Location.SourceTree!.FilePath["Source".Length..^".cs".Length], System.Globalization.CultureInfo.InvariantCulture)];
        var action = Assert.Single(await Actions(document, diagnostic), a => a.EquivalenceKey == key);
        var operation = (await action.GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
        string Text(int i) => operation.ChangedSolution.GetDocument(documents[i].Id)!.GetTextAsync().Result.ToString();
        return (Text(0), sources.Length > 1 ? Text(1) : string.Empty);
    }

    private static async Task<ImmutableArray<Diagnostic>> SpanLengths(string source)
    {
        var output = GeneratorHarness.Run(source).Output;
        return [.. (await output.WithAnalyzers([new SpanLengthAnalyzer()]).GetAnalyzerDiagnosticsAsync()).Where(d => d.Id == "FN0018")];
    }

    // Applies the first fix of each diagnostic with this id, one at a time (diagnostics recomputed after each), until none is left.
    private static async Task<string> FixAll(string source, string id, System.Func<string, ImmutableArray<Diagnostic>> diagnose) =>
        await FixAll(source, id, s => Task.FromResult(diagnose(s)));

    private static async Task<string> FixAll(string source, string id, System.Func<string, Task<ImmutableArray<Diagnostic>>> diagnose)
    {
        for (int round = 0; round < 10; round++)
        {
            var diagnostic = (await diagnose(source)).FirstOrDefault(d => d.Id == id);
            if (diagnostic is null) return source;
            var document = Document(source);
            var actions = await Actions(document, diagnostic);
            Assert.NotEmpty(actions);
            var operation = (await actions[0].GetOperationsAsync(CancellationToken.None)).OfType<ApplyChangesOperation>().Single();
            source = (await operation.ChangedSolution.GetDocument(document.Id)!.GetTextAsync()).ToString();
        }
        Assert.Fail("the fixes did not converge");
        return source;
    }

    private static async Task<List<CodeAction>> Actions(Document document, Diagnostic diagnostic)
    {
        var provider = new FixedNetCodeFixProvider();
        Assert.Contains(diagnostic.Id, provider.FixableDiagnosticIds);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions;
    }

    // A document whose text is the source the diagnostics were computed on, so that their spans apply to it.
    private static Document Document(string source) => Documents([source])[0];

    // One project with a document per source, named as GeneratorHarness names their trees (Source0.cs, Source1.cs, …).
    private static Document[] Documents(string[] sources)
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Test", "Test", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary), parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References.Value));
        var ids = new List<DocumentId>();
        var solution = workspace.CurrentSolution;
        for (int i = 0; i < sources.Length; i++)
        {
            var id = DocumentId.CreateNewId(project.Id);
            solution = solution.AddDocument(id, $"Source{i}.cs", Microsoft.CodeAnalysis.Text.SourceText.From(sources[i]));
            ids.Add(id);
        }
        return [.. ids.Select(id => solution.GetDocument(id)!)];
    }
}
