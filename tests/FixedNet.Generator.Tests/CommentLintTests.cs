using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using FixedNet.Generator.Model;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// Comments in generated code that state what the code beside them does must agree with it: the layer headers of
/// the unrolled code with the layer table, the formula after each activation call with that activation's operator,
/// the layer indices a comment names with those its line touches, and each shape struct with the layer it serves.
/// </summary>
public class CommentLintTests
{
    public static TheoryData<string> Cases => [.. SnapshotSources.All.Keys.Order(StringComparer.Ordinal), "8-16-16-1", "1-unit layers", "17-33-9-4", "4-3-2"];

    private static string Source(string name) => name switch
    {
        "8-16-16-1" => "using FixedNet; [Network(8)] [Dense(16, Activation.Tanh)] [Dense(16, Activation.GELU)] [Dense(1)] public partial class Small;",
        "1-unit layers" => "using FixedNet; [Network(40)] [Dense(1, Activation.ReLU)] [Dense(1, Activation.Softplus)] [Dense(24, Activation.SiLU)] [Dense(1)] public partial class Thin;",
        "17-33-9-4" => "using FixedNet; [Network(17, Loss = Loss.CrossEntropy)] [Dense(33, Activation.ELU)] [Dense(9, Activation.Sigmoid)] [Dense(4, Activation.Softmax)] public partial class Odd;",
        "4-3-2" => "using FixedNet; [Network(4)] [Dense(3, Activation.LeakyReLU)] [Dense(2, Activation.Tanh)] public partial class Tiny;",
        _ => SnapshotSources.All[name],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Comments_AgreeWithTheCode(string name)
    {
        var result = GeneratorHarness.Run(Source(name));
        Assert.Empty(result.CompilationErrors);
        int checkedComments = 0;
        foreach (var text in result.Sources.Values)
        {
            var problems = Lint(text, out int count);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            checkedComments += count;
        }
        Assert.True(checkedComments > 0, "the lint found no comment it knows how to check");
    }

    [Fact]
    public void Lint_FlagsEachKindOfContradiction()
    {
        // a correct file, from the generator, then one wrong comment of each kind planted in it
        string loop = GeneratorHarness.Run(Source("17-33-9-4")).Sources.Values.Single();
        string unrolled = GeneratorHarness.Run(Source("4-3-2")).Sources.Values.Single();
        Assert.Empty(Lint(loop, out _));
        Assert.Empty(Lint(unrolled, out _));
        Assert.NotEmpty(Lint(Replace(unrolled, "// Layer 1: dense 3 → 2, Tanh.", "// Layer 1: dense 3 → 2, Sigmoid."), out _));
        Assert.NotEmpty(Lint(Replace(unrolled, "// Layer 0: dense 4 → 3, LeakyReLU.", "// Layer 0: dense 4 → 4, LeakyReLU."), out _));
        Assert.NotEmpty(Lint(Replace(loop, "// a = z > 0 ? z : e^z − 1", "// a = tanh z", onlyFirst: true), out _));
        Assert.NotEmpty(Lint(Replace(loop, "// f′ = a(1 − a)", "// f′ = 1 − a²", onlyFirst: true), out _));
        Assert.NotEmpty(Lint(Replace(loop, "// d1 = W2ᵀ·d2", "// d0 = W2ᵀ·d2", onlyFirst: true), out _));
        Assert.NotEmpty(Lint(Replace(loop, "Inputs => 33; public static int Outputs => 9;", "Inputs => 33; public static int Outputs => 8;"), out _));
    }

    private static string Replace(string text, string from, string to, bool onlyFirst = false)
    {
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, "not in the generated code: " + from);
        return onlyFirst ? text.Substring(0, at) + to + text.Substring(at + from.Length) : text.Replace(from, to);
    }

    // dense_0         13  Tanh        13×21             13          286
    private static readonly Regex LayerRow = new(@"^\s*/// dense_(\d+)\s+(\d+)\s+(\w+)\s+(\d+)×(\d+)", RegexOptions.Multiline);
    private static readonly Regex LayerHeader = new(@"// Layer (\d+): dense (\d+) → (\d+), (\w+)\.");
    private static readonly Regex OperatorCall = new(@"Activations\.(Apply|MultiplyDerivative)<(\w+)>\(.*\); // (.*)$");
    private static readonly Regex ShapeStruct = new(@"struct Shape(\d+)x(\d+) : IDenseShape \{ public static int Inputs => (\d+); public static int Outputs => (\d+); \}");
    private static readonly Regex KernelCall = new(@"Dense\.\w+<Shape(\d+)x(\d+)\b.*\bW(\d+)\b");
    private static readonly Regex CommentIndex = new(@"([WdΔaz])(\d+)");

    /// <summary>What in <paramref name="text"/> contradicts its comments; <paramref name="count"/>: the comments checked.</summary>
    private static List<string> Lint(string text, out int count)
    {
        var problems = new List<string>();
        count = 0;
        var layers = LayerRow.Matches(text).ToDictionary(m => int.Parse(m.Groups[1].Value),
            m => (Inputs: int.Parse(m.Groups[5].Value), Size: int.Parse(m.Groups[2].Value), Activation: m.Groups[3].Value));
        var byOperator = Enum.GetValues<ActivationKind>().Where(k => OperatorTable.Of(k).Operator is not null).ToDictionary(k => OperatorTable.Of(k).Operator!);
        foreach (var line in text.Split('\n'))
        {
            var header = LayerHeader.Match(line);
            if (header.Success)
            {
                count++;
                int l = int.Parse(header.Groups[1].Value);
                if (!layers.TryGetValue(l, out var layer) || layer.Inputs != int.Parse(header.Groups[2].Value) || layer.Size != int.Parse(header.Groups[3].Value) || layer.Activation != header.Groups[4].Value)
                    problems.Add("layer header disagrees with the layer table: " + line.Trim());
            }
            var call = OperatorCall.Match(line);
            if (call.Success)
            {
                count++;
                var kind = byOperator[call.Groups[2].Value];
                string expected = call.Groups[1].Value == "Apply" ? OperatorTable.Formula(kind) : "f′ = " + OperatorTable.Of(kind).Derivative;
                if (call.Groups[3].Value != expected) problems.Add($"'{call.Groups[3].Value}' is not {call.Groups[2].Value}'s '{expected}': " + line.Trim());
            }
            var shape = ShapeStruct.Match(line);
            if (shape.Success)
            {
                count++;
                if (shape.Groups[1].Value != shape.Groups[3].Value || shape.Groups[2].Value != shape.Groups[4].Value) problems.Add("shape struct holds other sizes than its name: " + line.Trim());
            }
            var kernel = KernelCall.Match(line);
            if (kernel.Success && layers.TryGetValue(int.Parse(kernel.Groups[3].Value), out var served)
                && (served.Inputs != int.Parse(kernel.Groups[1].Value) || served.Size != int.Parse(kernel.Groups[2].Value)))
                problems.Add("kernel shape is not its layer's: " + line.Trim());

            // A comment after code that names layer-indexed values (W1, d0, Δ2, a0, z1) names values the line touches.
            int comment = line.IndexOf("// ", StringComparison.Ordinal);
            if (comment <= 0 || line.Substring(0, comment).Trim().Length == 0 || !line.Contains("Dense.", StringComparison.Ordinal)) continue;
            string code = line.Substring(0, comment);
            foreach (Match name in CommentIndex.Matches(line.Substring(comment)))
            {
                count++;
                string k = name.Groups[2].Value;
                string[] candidates = name.Groups[1].Value switch
                {
                    "W" => ["W" + k],
                    "d" or "Δ" => ["_d" + k, "_bd" + k],
                    "a" => ["_a" + k, "_ba" + k],
                    _ => ["_z" + k, "_bz" + k],
                };
                if (!candidates.Any(c => Regex.IsMatch(code, @"\b" + c + @"\b")))
                    problems.Add($"the comment names {name.Value}, which the code does not touch: " + line.Trim());
            }
        }
        return problems;
    }
}
