using System;
using System.Linq;
using System.Reflection;
using FixedNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>The pipeline caches: unrelated edits reuse the model; attribute edits produce a new one.</summary>
public class IncrementalTests
{
    private const string Source = GeneratorHarness.SmallNetwork;

    private static GeneratorRunResult RunTwice(Func<Compilation, Compilation> edit, string source = Source)
    {
        var compilation = GeneratorHarness.CreateCompilation(source);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(compilation);
        driver = driver.RunGenerators(edit(compilation));
        return driver.GetRunResult().Results.Single();
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        [.. result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason)];

    [Fact]
    public void UnrelatedFile_IsCached()
    {
        var result = RunTwice(c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { int X; }", GeneratorHarness.ParseOptions)));
        Assert.All(Reasons(result, TrackingNames.ParseNetworks), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(Reasons(result, TrackingNames.NetworkModels), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.NotEmpty(Reasons(result, TrackingNames.NetworkModels));
    }

    [Fact]
    public void UnrelatedFile_LeavesEveryStepCached_DiagnosticsAndOutputsToo()
    {
        // one valid network, one with an FN error, and a [Dense] without [Network]: models, diagnostics and orphans all flow
        const string source = GeneratorHarness.SmallNetwork + """

            [Network(0)] [Dense(2)] public partial class Broken { }
            [Dense(3)] public partial class Orphan { }
            """;
        var result = RunTwice(c => c.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { int X; }", GeneratorHarness.ParseOptions)), source);
        foreach (var step in new[] { TrackingNames.ParseNetworks, TrackingNames.NetworkModels, TrackingNames.NetworkDiagnostics, TrackingNames.OrphanLayers })
        {
            Assert.NotEmpty(Reasons(result, step));
            Assert.All(Reasons(result, step), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, step + ": " + r));
        }
        var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();
        Assert.Equal(3, outputs.Length); // the source of Net, FN0004 of Broken, FN0007 of Orphan
        Assert.All(outputs, r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.Equal(2, result.Diagnostics.Length);
    }

    [Fact]
    public void EditInsideTheClassBody_KeepsTheModel()
    {
        var result = RunTwice(c =>
        {
            var tree = c.SyntaxTrees.Single();
            var edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Source.Replace("{ }", "{ public int Extra => 1; }")));
            return c.ReplaceSyntaxTree(tree, edited);
        });
        // The declaration changed, so it is parsed again, but the model is equal: nothing downstream runs.
        Assert.All(Reasons(result, TrackingNames.ParseNetworks), r => Assert.True(r is IncrementalStepRunReason.Unchanged or IncrementalStepRunReason.Cached, r.ToString()));
        Assert.All(Reasons(result, TrackingNames.NetworkModels), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void ChangedLayerSize_IsModified()
    {
        var result = RunTwice(c =>
        {
            var tree = c.SyntaxTrees.Single();
            var edited = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(Source.Replace("Dense(4,", "Dense(5,")));
            return c.ReplaceSyntaxTree(tree, edited);
        });
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.ParseNetworks));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.NetworkModels));
        Assert.Contains("[5]", result.GeneratedSources.Single().SourceText.ToString().Replace("new float[5]", "[5]"));
    }

    [Fact]
    public void Models_HoldNoSymbolsSyntaxOrLocations_AndDiagnosticsOnlyTheirSyntaxTree()
    {
        // Pipeline values must compare by content: no symbol, compilation, node, semantic model or Location anywhere.
        // A diagnostic's LocationInfo may hold its SyntaxTree (compared by reference: equal while that file is unchanged),
        // and nothing else may.
        var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SemanticModel), typeof(Location), typeof(SyntaxTree) };
        var seen = new System.Collections.Generic.HashSet<Type>();
        void Walk(Type type, string path)
        {
            if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string)) return;
            Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} is a {type.Name}");
            if (type == typeof(DiagnosticDescriptor)) return; // immutable, compared by value
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (type == typeof(LocationInfo) && field.FieldType == typeof(SyntaxTree)) continue;
                var fieldType = field.FieldType.IsArray ? field.FieldType.GetElementType()! : field.FieldType;
                Walk(fieldType, path + "." + field.Name);
                foreach (var argument in fieldType.IsGenericType ? fieldType.GetGenericArguments() : []) Walk(argument, path + "." + field.Name + "<>");
            }
        }
        Walk(typeof(ParseResult), nameof(ParseResult));
        Assert.Contains(typeof(NetworkModel), seen);
        Assert.Contains(typeof(LayerModel), seen);
        Assert.Contains(typeof(LocationInfo), seen);
        Assert.Equal([typeof(SyntaxTree), typeof(Microsoft.CodeAnalysis.Text.TextSpan)],
            typeof(LocationInfo).GetFields(BindingFlags.Instance | BindingFlags.NonPublic).Select(f => f.FieldType));
    }

    [Fact]
    public void Emitter_WorksFromAHandBuiltModel()
    {
        var model = new NetworkModel("Demo", "Net", EquatableArray<ContainingTypeModel>.Empty, 3, LossKind.CrossEntropy,
            new EquatableArray<LayerModel>(new[] { new LayerModel(3, 4, ActivationKind.ReLU, 0, 12), new LayerModel(4, 2, ActivationKind.Softmax, 16, 24) }));
        Assert.Equal(26, model.ParameterCount);
        Assert.Equal("Demo.Net", model.FullName);
        string emitted = Emitter.Emit(model);
        var generated = GeneratorHarness.Run(Source).Sources["Demo.Net.g.cs"];
        Assert.Equal(generated, emitted);
    }
}
