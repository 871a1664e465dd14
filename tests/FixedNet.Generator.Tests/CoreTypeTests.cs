using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// Each network's passes live in a core type, <c>FixedNet.Generated.{Name}Core</c>, in the same generated file: it names
/// the runtime's types through usings (the user's class names them from <c>global::</c>), so no name of the user's may
/// hide one it uses, and core names are unique in the compilation and harmless across assemblies.
/// </summary>
public class CoreTypeTests
{
    // Every kind of loop network (shared batches, dropout, a kept z) and an unrolled one, in one compilation.
    private const string Networks = """
        [Network(40, Loss = Loss.CrossEntropy)] [Dense(64, Activation.ReLU)] [Dense(33, Activation.GELU)] [Dense(10, Activation.Softmax)] public partial class Wide { }
        [Network(20)] [Dense(24, Activation.Tanh)] [Dropout(0.25f)] [Dense(1, Activation.Sigmoid)] public partial class Dropped { }
        [Network(2, Loss = Loss.BinaryCrossEntropy)] [Dense(3, Activation.Softplus)] [Dense(1, Activation.Sigmoid)] public partial class Tiny { }
        """;

    [Fact]
    public void UserNames_LikeTheRuntimes_HideNothingTheGeneratedCodeUses()
    {
        // The names the core uses, as types of the user's namespace, of the global namespace, members of the network
        // classes and a global using alias; a namespace FixedNet and one System inside the user's.
        string hostile = "class Dense { } class Span<T> { } class ReadOnlySpan<T> { } class Math { } class MathF { } class Unsafe { } class MemoryMarshal { } "
            + "class AlignedBuffer { } class ThrowHelper { } class VectorLoops { } class Activations { } class Losses { } class Softmax { } class ReLUOperator { } "
            + "class SigmoidOperator { } class ParameterInitializer { } class NetworkArchitecture { } class ConcurrencyGuard { } class ParallelForward { } "
            + "class SharedBatch { } class SpinBarrier { } class IDenseShape { } class Dropout { } class EditorBrowsable { } class GeneratedCode { } class INetwork { }";
        string members = "public int Math, Unsafe, MemoryMarshal, Dense, AlignedBuffer, ThrowHelper, Activations, Losses, _parameters, _gradient, W0, B0; public void RunForward() { }";
        var result = GeneratorHarness.Run(
            "global using Softmax = System.String; global using Dense = System.Int32;",
            hostile.Replace("class INetwork { }", string.Empty),
            "using FixedNet;\nnamespace Demo.FixedNet { class Kernels { } }\nnamespace Demo.System { class Runtime { } }\nnamespace Demo\n{\n" + hostile + "\n"
                + Networks.Replace("{ }", "{ " + members + " }") + "\n}");
        Assert.Empty(result.FixedNetDiagnostics);
        Assert.Empty(result.CompilationErrors);
        Assert.Equal(3, result.Sources.Count);
    }

    [Fact]
    public void GeneratedFile_TheUsersPartFromGlobal_TheCoreThroughUsings()
    {
        foreach (var (hint, text) in GeneratorHarness.Run("using FixedNet;\nnamespace Demo\n{\n" + Networks + "\n}").Sources)
        {
            int core = text.IndexOf("\nnamespace FixedNet.Generated\n{\n", StringComparison.Ordinal);
            Assert.True(core > 0, hint + ": no core");
            string user = text.Substring(0, core), inside = text.Substring(core);
            Assert.DoesNotContain("\nusing ", user); // no using directive where the user's names are in scope
            Assert.Contains("private readonly global::FixedNet.Generated." + hint.Split('.')[1] + "Core _core = new", user);
            Assert.DoesNotContain("global::", inside);
            Assert.Contains("    using FixedNet.Kernels;\n", inside);
            Assert.Contains("internal sealed class " + hint.Split('.')[1] + "Core\n", inside);
        }
    }

    [Fact]
    public void NetworksOfOneName_GetCoresNumberedInOrdinalOrder()
    {
        const string Layers = "[Network(2)] [Dense(1)]";
        var result = GeneratorHarness.Run($"using FixedNet; {Layers} public partial class Net {{ }} namespace B {{ {Layers} public partial class Net {{ }} }} "
            + $"namespace A {{ {Layers} public partial class Net {{ }} public partial class Outer {{ {Layers} public partial class Net {{ }} }} }} {Layers} public partial class NetCore {{ }}");
        Assert.Empty(result.FixedNetDiagnostics);
        Assert.Empty(result.CompilationErrors);
        string CoreOf(string hint) => System.Text.RegularExpressions.Regex.Match(result.Sources[hint], @"internal sealed class (\w+)\n").Groups[1].Value;
        Assert.Equal("NetCore", CoreOf("A.Net.g.cs"));
        Assert.Equal("NetCore2", CoreOf("A.Outer.Net.g.cs"));
        Assert.Equal("NetCore3", CoreOf("B.Net.g.cs"));
        Assert.Equal("NetCore4", CoreOf("Net.g.cs"));
        Assert.Equal("NetCoreCore", CoreOf("NetCore.g.cs"));
    }

    [Fact]
    public void CoreOfTheSameName_InAnAssemblyThatShowsThisOneItsInternals_IsNoError()
    {
        const string Source = "using FixedNet; namespace Demo { [Network(20)] [Dense(24, Activation.Tanh)] [Dense(1)] public partial class Net { } }";
        var friend = GeneratorHarness.Run("[assembly: System.Runtime.CompilerServices.InternalsVisibleTo(\"Consumer\")]", Source);
        Assert.Empty(friend.CompilationErrors);
        using var image = new MemoryStream();
        Assert.True(friend.Output.Emit(image).Success);

        var consumer = CSharpCompilation.Create("Consumer",
            [CSharpSyntaxTree.ParseText(Source.Replace("namespace Demo", "namespace Mine"), GeneratorHarness.ParseOptions, path: "Source0.cs")],
            GeneratorHarness.References.Value.Add(MetadataReference.CreateFromImage(image.ToArray())),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], parseOptions: GeneratorHarness.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(consumer, out var output, out _);
        // both assemblies have an internal FixedNet.Generated.NetCore, and this one sees the other's: its own is meant
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        // the case is real: without the file's '#pragma warning disable CS0436' the compiler warns of the conflict
        var generated = output.SyntaxTrees.Single(t => t.FilePath.EndsWith("Mine.Net.g.cs", StringComparison.Ordinal));
        string text = generated.GetText().ToString();
        int pragma = text.IndexOf("#pragma warning disable CS0436", StringComparison.Ordinal);
        Assert.True(pragma > 0);
        var without = output.ReplaceSyntaxTree(generated, CSharpSyntaxTree.ParseText(text.Remove(pragma, text.IndexOf('\n', pragma) - pragma), GeneratorHarness.ParseOptions, generated.FilePath));
        Assert.Contains(without.GetDiagnostics(), d => d.Id == "CS0436");
    }
}
