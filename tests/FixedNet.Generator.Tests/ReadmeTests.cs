using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// Every C# block of README.md compiles as it stands, with the generator, as the Program.cs of a new console project
/// (the implicit usings of <c>dotnet new console</c>, nothing else): the README cannot drift from the API again.
/// </summary>
public class ReadmeTests
{
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    // The contributor README and the packages' own (docs/package-readme*.md, the NuGet pages).
    private static readonly string[] Files = ["README.md", "docs/package-readme.md", "docs/package-readme-onnx.md"];

    public static TheoryData<string, int> Blocks
    {
        get
        {
            var blocks = new TheoryData<string, int>();
            foreach (var file in Files)
                for (int i = 0; i < CodeBlocks(file).Length; i++) blocks.Add(file, i);
            return blocks;
        }
    }

    private static string[] CodeBlocks(string file) =>
        [.. Regex.Matches(File.ReadAllText(Path.Combine(RepositoryRoot(), file)), @"```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value)];

    [Fact]
    public void Readmes_HaveCSharpBlocks()
    {
        Assert.True(CodeBlocks("README.md").Length >= 2, "README.md has fewer C# blocks than the usage and training sections");
        Assert.NotEmpty(CodeBlocks("docs/package-readme.md"));
        Assert.NotEmpty(CodeBlocks("docs/package-readme-onnx.md"));
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void ReadmeBlock_Compiles(string file, int index)
    {
        string block = CodeBlocks(file)[index];
        var compilation = GeneratorHarness.CreateCompilation(ImplicitUsings, block)
            .WithOptions(new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        // a block that bakes weights gets the file as the build would hand it over: the baked sample's copy
        var weights = Regex.Matches(block, @"Weights = ""([^""]+)""").Select(m => m.Groups[1].Value).Distinct()
            .Select(path => (AdditionalText)new EncodedWeights(path, File.ReadAllBytes(Path.Combine(RepositoryRoot(), "samples", "FixedNet.Samples.Baked", path))))
            .ToArray();
        CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], additionalTexts: weights, parseOptions: GeneratorHarness.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, $"{file} C# block {index + 1}:\n{string.Join("\n", problems.Select(p => p.ToString()))}\n\n{block}");
        if (block.Contains("[Network(", StringComparison.Ordinal))
            Assert.NotEqual(compilation.SyntaxTrees.Count(), output.SyntaxTrees.Count());
    }

    // What buildTransitive/FixedNet.targets writes for a <FixedNetWeights> item.
    private sealed class EncodedWeights(string listed, byte[] bytes) : AdditionalText
    {
        public override string Path => "obj/fixednet/" + listed.Replace('/', '_') + ".fixednet-weights";

        public override Microsoft.CodeAnalysis.Text.SourceText GetText(CancellationToken cancellationToken = default) =>
            Microsoft.CodeAnalysis.Text.SourceText.From("FixedNetWeights 1 " + listed + "\n" + Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks) + "\n");
    }

    private static string RepositoryRoot() => GeneratorHarness.RepositoryRoot();
}
