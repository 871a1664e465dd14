using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// Legal declarations that used to crash the generator (CS8785: every network loses its code) or break the generated
/// code: names that differ only in case, escaped keywords as names, a class named like a generated member; a
/// combinatorial sweep over such shapes; and the generator's list of its member names against what it writes.
/// </summary>
public class DeclarationTests
{
    private const string Layers = "[Network(2)] [Dense(1)]";
    private const string LoopLayers = "[Network(20)] [Dense(20, Activation.Tanh)] [Dense(1)]";

    public static TheoryData<string, string> Unusual => new()
    {
        { "names differing in case", $"namespace Demo {{ {Layers} public partial class Net {{ }} {Layers} public partial class NET {{ }} }}" },
        { "namespace and type differing in case", $"namespace X {{ public partial class Outer {{ {Layers} public partial class Net {{ }} }} }} namespace X.outer {{ {LoopLayers} public partial class Net {{ }} }}" },
        { "escaped namespace", $"namespace Demo.@event {{ {LoopLayers} public partial class Net {{ }} }}" },
        { "escaped class name", $"namespace Demo {{ {Layers} public partial class @class {{ }} {LoopLayers} public partial class @struct {{ }} }}" },
        { "escaped containing type", $"namespace Demo {{ public partial class @object {{ {LoopLayers} public partial class Net {{ }} }} }}" },
        { "file-scoped escaped namespace", $"namespace Demo.@if; {Layers} public partial class Net {{ }}" },
        // construction and Clone(): a constructor of the user's own, an abstract network, a base class without a
        // parameterless constructor (no Clone then: the copy could not call it), one with an optional-parameter one
        { "user constructor", $"namespace Demo {{ {LoopLayers} public partial class Net {{ public Net(int seed) => InitializeParameters(seed); }} }}" },
        { "abstract network", $"namespace Demo {{ {Layers} public abstract partial class Net {{ }} public sealed class Concrete : Net {{ }} }}" },
        { "base without parameterless constructor", $"namespace Demo {{ public class Base {{ public Base(int x) {{ }} }} {Layers} public partial class Net : Base {{ public Net() : base(1) {{ }} }} }}" },
        { "base with optional parameter", $"namespace Demo {{ public class Base {{ public Base(int x = 1) {{ }} }} {LoopLayers} public partial class Net : Base {{ }} }}" },
    };

    // What each of those declarations gets: a public parameterless constructor exactly where C# would have given one,
    // and Clone() wherever the copy can be constructed.
    [Theory]
    [InlineData("public partial class Net { }", true, true)]
    [InlineData("public partial class Net { public Net(int seed) => InitializeParameters(seed); }", false, true)]
    [InlineData("public abstract partial class Net { }", false, false)]
    [InlineData("public class Base { public Base(int x) { } } [Network(2)] [Dense(1)] public partial class Net : Base { public Net() : base(1) { } }", false, false)]
    public void Constructor_AndClone_AreGeneratedWhereTheyCanBe(string declaration, bool constructor, bool clone)
    {
        string source = declaration.StartsWith("public class Base", StringComparison.Ordinal) ? declaration : Layers + " " + declaration;
        var result = GeneratorHarness.Run("using FixedNet;\nnamespace Demo { " + source + " }");
        Assert.True(result.CompilationErrors.IsEmpty, string.Join("\n", result.CompilationErrors));
        string text = Assert.Single(result.Sources).Value;
        Assert.Equal(constructor, text.Contains("public Net() { }", StringComparison.Ordinal));
        Assert.Equal(clone, text.Contains("public Net Clone()", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("public Net Clone() => this;")]
    [InlineData("public Net() { } public Net(Net other) { }")]
    public void UserCloneOrCopyConstructor_IsFN0016(string members)
    {
        var result = GeneratorHarness.Run($"using FixedNet; namespace Demo {{ {Layers} public partial class Net {{ {members} }} }}");
        var diagnostic = Assert.Single(result.FixedNetDiagnostics);
        Assert.Equal("FN0016", diagnostic.Id);
        Assert.Empty(result.Sources);
    }

    [Theory]
    [MemberData(nameof(Unusual))]
    public void UnusualButLegalDeclarations_Generate(string what, string source)
    {
        var result = GeneratorHarness.Run("using FixedNet;\n" + source);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001");
        Assert.Empty(result.FixedNetDiagnostics);
        Assert.True(result.CompilationErrors.IsEmpty, what + ": " + string.Join("\n", result.CompilationErrors));
        int networks = Regex.Matches(source, @"\[Network").Count;
        Assert.Equal(networks, result.Sources.Count);
        Assert.Equal(networks, result.Sources.Keys.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(result.Sources.Keys, hint => Assert.DoesNotContain("@", hint));
    }

    [Fact]
    public void HintNames_OfNetworksDifferingInCase_AreNumberedInOrdinalOrder()
    {
        var result = GeneratorHarness.Run($"using FixedNet; namespace Demo {{ {Layers} public partial class net {{ }} {Layers} public partial class Net {{ }} {Layers} public partial class NET {{ }} }}");
        Assert.Equal(["Demo.NET.g.cs", "Demo.Net.2.g.cs", "Demo.net.3.g.cs"], result.Sources.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ClassNamedLikeAGeneratedMember_IsFN0016()
    {
        var result = GeneratorHarness.Run($"using FixedNet; {Layers} public partial class Architecture {{ }}");
        Assert.Equal("FN0016", Assert.Single(result.FixedNetDiagnostics).Id);
        Assert.Empty(result.Sources);
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001");
    }

    // Names, namespaces and nesting combined, several networks per compilation: no crash, and either an FN error
    // for the network or generated code without a single error in it.
    [Fact]
    public void Sweep_OfDeclarationShapes_NeverCrashes_AndNeverBreaksGeneratedCode()
    {
        string[] names = ["Net", "NET", "net", "@class", "@event", "Architecture", "Forward", "Shape2x1", "_a0", "Layer"];
        string[] namespaces = ["", "namespace Demo;", "namespace Demo.@event;", "namespace demo;"];
        string[] wrappers = ["{0}", "public partial class Outer {{ {0} }}", "public partial class outer {{ {0} }}", "public partial struct @record {{ {0} }}", "file partial class F {{ {0} }}"];
        string[] shapes = [Layers, LoopLayers];
        // modifiers and bodies decide what the generated part may declare: constructors, Clone(), its copy constructor
        string[] modifiers = ["public", "internal", "public sealed", "public abstract", "static", ""];
        string[] bodies = ["{{ }}", "{{ public {0}(int seed) {{ }} }}", "{{ private {0}() {{ }} }}", "{{ public {0}({0} other) {{ }} }}", "{{ public int Clone() => 0; }}", "{{ }}"];
        string[] bases = ["", " : Base", " : NoDefault", " : System.IDisposable"];
        const string baseTypes = "public class Base { } public class NoDefault { public NoDefault(int x) { } }";
        var random = new Random(20261202);
        int checkedCompilations = 0;
        for (int round = 0; round < 150; round++)
        {
            string ns = namespaces[random.Next(namespaces.Length)];
            var declarations = new List<string> { baseTypes };
            for (int k = 0; k < 3; k++)
            {
                string name = names[random.Next(names.Length)];
                string body = string.Format(bodies[random.Next(bodies.Length)], name);
                string network = $"{shapes[random.Next(shapes.Length)]} {modifiers[random.Next(modifiers.Length)]} partial class {name}{bases[random.Next(bases.Length)]} {body}";
                declarations.Add(string.Format(wrappers[random.Next(wrappers.Length)], network));
            }
            string source = "using FixedNet;\n" + ns + "\n" + string.Join("\n", declarations);
            var result = GeneratorHarness.Run(source);
            Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id is "CS8785" or "AD0001");
            var generatedTrees = result.Output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)).ToHashSet();
            var inGenerated = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } t && generatedTrees.Contains(t)).ToList();
            Assert.True(inGenerated.Count == 0, source + "\n" + string.Join("\n", inGenerated));
            checkedCompilations++;
        }
        Assert.Equal(150, checkedCompilations);
    }

    public static TheoryData<string> Shapes => ["[Network(2, Loss = Loss.CrossEntropy)] [Dense(2, Activation.Sigmoid)] [Dense(2, Activation.Softmax)]",
        "[Network(21, Loss = Loss.BinaryCrossEntropy)] [Dense(13, Activation.GELU)] [Dense(3, Activation.Sigmoid)]",
        "[Network(17, Loss = Loss.CrossEntropy)] [Dense(33, Activation.ELU)] [Dense(9, Activation.SiLU)] [Dense(4, Activation.Softmax)]"];

    // The names FN0016 guards are every name the generated part declares (a member missing from the list would be a
    // CS0102 inside generated code instead of an FN error).
    [Theory]
    [MemberData(nameof(Shapes))]
    public void MemberNames_CoverEveryGeneratedMember(string attributes)
    {
        var result = GeneratorHarness.Run($"using FixedNet; namespace Demo; {attributes} public partial class Net {{ }}");
        string text = result.Sources.Values.Single();
        var type = CSharpSyntaxTree.ParseText(text).GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.ValueText == "Net");
        var declared = new List<string>();
        foreach (var member in type.Members)
        {
            switch (member)
            {
                case FieldDeclarationSyntax field: declared.AddRange(field.Declaration.Variables.Select(v => v.Identifier.ValueText)); break;
                case MethodDeclarationSyntax method when method.ExplicitInterfaceSpecifier is null: declared.Add(method.Identifier.ValueText); break;
                case PropertyDeclarationSyntax property when property.ExplicitInterfaceSpecifier is null: declared.Add(property.Identifier.ValueText); break;
                case BaseTypeDeclarationSyntax nested: declared.Add(nested.Identifier.ValueText); break;
            }
        }
        Assert.NotEmpty(declared);
        var driver = GeneratorHarness.CreateDriver(trackSteps: true).RunGenerators(GeneratorHarness.CreateCompilation($"using FixedNet; namespace Demo; {attributes} public partial class Net {{ }}"));
        var model = (Model.NetworkModel)driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.NetworkModels].Single().Outputs.Single().Value;
        var names = Emitter.MemberNames(model).ToHashSet(StringComparer.Ordinal);
        Assert.All(declared, n => Assert.Contains(n, names));
    }
}
