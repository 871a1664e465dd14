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
    private static Document Document(string source)
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Default, "Test", "Test", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary), parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References.Value));
        return workspace.AddDocument(project.Id, "Source0.cs", Microsoft.CodeAnalysis.Text.SourceText.From(source));
    }
}
