using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using FixedNet.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// The code fixes under Microsoft.CodeAnalysis.CSharp.CodeFix.Testing, the framework an IDE's behaviour is specified
/// with: the source generator runs inside the test, its FN errors and the analyzer's FN0018 are the expected
/// diagnostics (markup), the fix is applied, and the fixed code must compile with no diagnostic left. The reference
/// assemblies are the running runtime's (no download).
/// </summary>
public class CodeFixFrameworkTests
{
    private sealed class Test : CSharpCodeFixTest<SpanLengthAnalyzer, FixedNetCodeFixProvider, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0");
            TestState.AdditionalReferences.AddRange(GeneratorHarness.References.Value);
            FixedState.AdditionalReferences.AddRange(GeneratorHarness.References.Value);
            // the generated files are not part of what the fix is judged on
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        }

        protected override IEnumerable<Type> GetSourceGenerators() => [typeof(NetworkGenerator)];
    }

    private static Task Verify(string source, string fixedSource, string? equivalenceKey = null, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource, CodeActionEquivalenceKey = equivalenceKey };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    [Fact]
    public Task FN0018_WritesTheSizeConstant() => Verify("""
        using FixedNet;
        [Network(2)] [Dense(3, Activation.Tanh)] [Dense(4)]
        public partial class Net { }
        public static class Use
        {
            public static void Run(Net net) => net.Forward({|FN0018:new float[3]|}, new float[4]);
        }
        """, """
        using FixedNet;
        [Network(2)] [Dense(3, Activation.Tanh)] [Dense(4)]
        public partial class Net { }
        public static class Use
        {
            public static void Run(Net net) => net.Forward(new float[Net.InputSize], new float[4]);
        }
        """);

    [Fact]
    public Task FN0001_MakesTheClassPartial() => Verify("""
        using FixedNet;
        [Network(2)] [Dense(1)]
        public class {|FN0001:Net|} { }
        """, """
        using FixedNet;
        [Network(2)] [Dense(1)]
        public partial class Net { }
        """);

    [Fact]
    public Task FN0009_PutsSoftmaxOnTheLastLayer() => Verify("""
        using FixedNet;
        [{|FN0009:Network(2, Loss = Loss.CrossEntropy)|}] [Dense(4, Activation.ReLU)] [Dense(3, Activation.Sigmoid)]
        public partial class Net { }
        """, """
        using FixedNet;
        [Network(2, Loss = Loss.CrossEntropy)] [Dense(4, Activation.ReLU)] [Dense(3, Activation.Softmax)]
        public partial class Net { }
        """, "FN0009.Activation");

    [Fact]
    public Task FN0008_PutsReLUOnTheHiddenLayer() => Verify("""
        using FixedNet;
        [Network(2, Loss = Loss.CrossEntropy)] [{|FN0008:Dense(4, Activation.Softmax)|}] [Dense(3, Activation.Softmax)]
        public partial class Net { }
        """, """
        using FixedNet;
        [Network(2, Loss = Loss.CrossEntropy)] [Dense(4, Activation.ReLU)] [Dense(3, Activation.Softmax)]
        public partial class Net { }
        """, "FN0008.ReLU");

    [Fact]
    public Task FN0013_MovesTheLayer() => Verify("""
        using FixedNet;
        [Network(2)]
        [Dense(3, Activation.Tanh)]
        public partial class Net { }

        [{|FN0013:Dense(1)|}]
        public partial class Net { }
        """, """
        using FixedNet;
        [Network(2)]
        [Dense(3, Activation.Tanh)]
        [Dense(1)]
        public partial class Net { }

        public partial class Net { }
        """);
}
