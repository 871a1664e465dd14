using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// FN0018 at call sites: every form of compile-time length the analyzer knows, reported at the argument with the
/// expected size; and no report where the length is right or not known at compile time.
/// </summary>
public class SpanLengthAnalyzerTests
{
    private const string Network = """
        using System;
        using FixedNet;
        namespace Demo;
        [Network(2)] [Dense(3, Activation.Tanh)] [Dense(2)]
        public partial class Net { }
        public class Other { public void Forward(ReadOnlySpan<float> input, Span<float> output) { } }
        """;

    private static async Task<ImmutableArray<Diagnostic>> Analyze(string body)
    {
        string caller = $$"""
            using System;
            using FixedNet;
            namespace Demo;
            public static class Caller
            {
                const int Three = 3;
                public static void Run(Net net, INetwork any, Other other, int n, float[] data)
                {
                    {{body}}
                }
            }
            """;
        var result = GeneratorHarness.Run(Network, caller);
        Assert.Empty(result.CompilationErrors);
        var diagnostics = await result.Output.WithAnalyzers([new SpanLengthAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        return [.. diagnostics.Where(d => d.Id == "FN0018")];
    }

    [Theory]
    [InlineData("net.Forward(new float[3], new float[2]);", "new float[3]", "'input' of Net.Forward gets 3 values, but Net.InputSize is 2")]
    [InlineData("net.Forward(new float[] { 1f, 2f }, stackalloc float[5]);", "stackalloc float[5]", "'output' of Net.Forward gets 5 values, but Net.OutputSize is 2")]
    [InlineData("net.Forward([1f, 2f, 3f], new float[2]);", "[1f, 2f, 3f]", "'input' of Net.Forward gets 3 values")]
    [InlineData("net.ComputeLoss(new float[2], new float[Three]);", "new float[Three]", "'target' of Net.ComputeLoss gets 3 values, but Net.OutputSize is 2")]
    [InlineData("net.TrainStep(new float[2], stackalloc float[] { 1f }, 0.1f);", "stackalloc float[] { 1f }", "'target' of Net.TrainStep gets 1 values")]
    [InlineData("net.Backward(new float[2], new float[2], new float[16]);", "new float[16]", "'gradient' of Net.Backward gets 16 values, but Net.ParameterCount is 17")]
    [InlineData("net.Forward(output: new float[2], input: (new float[4]));", "(new float[4])", "'input' of Net.Forward gets 4 values")]
    public async Task KnownWrongLength_IsFN0018_AtTheArgument(string call, string argument, string message)
    {
        var diagnostic = Assert.Single(await Analyze(call));
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(argument, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("net.Forward(new float[Net.InputSize], stackalloc float[Net.OutputSize]);")]
    [InlineData("net.Forward([1f, 2f], new float[2]); net.Backward(new float[2], new float[2], new float[Net.ParameterCount]);")]
    [InlineData("net.Forward(new float[n], new float[n + 1]);")]                  // lengths known only at run time
    [InlineData("var x = new float[3]; net.Forward(x, data);")]                   // through a variable: not judged
    [InlineData("net.Forward([.. data], data.AsSpan(0, 5));")]                    // a spread, a slice
    [InlineData("any.Forward(new float[3], new float[9]);")]                      // through INetwork: size unknown
    [InlineData("other.Forward(new float[3], new float[9]);")]                    // not a network
    public async Task RightOrUnknownLength_IsNotReported(string call) => Assert.Empty(await Analyze(call));
}
