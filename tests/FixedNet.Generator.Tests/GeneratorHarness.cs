using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using FixedNet.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace FixedNet.Generator.Tests;

/// <summary>Runs <see cref="NetworkGenerator"/> over source text with CSharpGeneratorDriver, referencing the running runtime's assemblies.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>A small valid declaration (3-4-2, ReLU, softmax, cross-entropy) that generates <c>Demo.Net.g.cs</c>.</summary>
    public const string SmallNetwork = """
        using FixedNet;
        namespace Demo;
        [Network(3, Loss = Loss.CrossEntropy)]
        [Dense(4, Activation.ReLU)]
        [Dense(2, Activation.Softmax)]
        public partial class Net { }
        """;

    internal static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .ToList();
        paths.Add(typeof(FixedNet.NetworkAttribute).Assembly.Location);
        paths.Add(typeof(FixedNet.Interop.Onnx).Assembly.Location); // the FixedNet.Onnx package, for the README's ONNX blocks
        return [.. paths.Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    });

    /// <summary>The repository's root folder (this file is tests/FixedNet.Generator.Tests/GeneratorHarness.cs).</summary>
    public static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));

    public static CSharpCompilation CreateCompilation(params string[] sources) => CreateCompilation(ParseOptions, sources);

    public static CSharpCompilation CreateCompilation(CSharpParseOptions options, params string[] sources) =>
        CSharpCompilation.Create("Tests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, options, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            [new NetworkGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    public sealed record Result(Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult Run)
    {
        public IEnumerable<Diagnostic> FixedNetDiagnostics => GeneratorDiagnostics.Where(d => d.Id.StartsWith("FN", StringComparison.Ordinal));

        public ImmutableArray<Diagnostic> CompilationErrors =>
            [.. Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning)];

        public IReadOnlyDictionary<string, string> Sources =>
            Run.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());
    }

    public static Result Run(params string[] sources) => Run(ParseOptions, sources);

    public static Result Run(CSharpParseOptions options, params string[] sources)
    {
        var compilation = CreateCompilation(options, sources);
        var driver = CSharpGeneratorDriver.Create([new NetworkGenerator().AsSourceGenerator()], parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var run = driver.GetRunResult();
        foreach (var result in run.Results)
        {
            if (result.Exception is not null) throw new InvalidOperationException("The generator threw.", result.Exception);
        }
        return new Result(output, diagnostics, run);
    }
}
