using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// Every FN diagnostic links to its page in docs/diagnostics, under the repository URL of Directory.Build.props, and
/// the page states the rule with a wrong and a right example. Where the examples are self-contained C# (no weights
/// file, no project setting), they are compiled: the wrong one gives exactly that diagnostic, the right one none.
/// </summary>
public class DiagnosticDocsTests
{
    public static TheoryData<string> Ids() => [.. Descriptors().Select(d => d.Id)];

    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Id, StringComparer.Ordinal);

    // Pages whose examples need more than one C# file: a weights file (FN0019–FN0028), a project setting (FN0014), a generator bug (FN0017).
    private static bool Compiles(string id) => (string.CompareOrdinal(id, "FN0019") < 0 && id is not ("FN0014" or "FN0017")) || id is "FN0029" or "FN0030";

    private static string Page(string id) => Path.Combine(GeneratorHarness.RepositoryRoot(), "docs", "diagnostics", id + ".md");

    [Theory]
    [MemberData(nameof(Ids))]
    public void HelpLink_IsThePageOfTheId_UnderTheRepositoryUrl(string id)
    {
        var descriptor = Descriptors().Single(d => d.Id == id);
        string url = XDocument.Load(Path.Combine(GeneratorHarness.RepositoryRoot(), "Directory.Build.props")).Descendants("RepositoryUrl").Single().Value;
        Assert.Equal(url + "/blob/main/docs/diagnostics/" + id + ".md", descriptor.HelpLinkUri);
        Assert.True(File.Exists(Page(id)), "no page " + Page(id));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Page_StatesTheRule_WithAWrongAndARightExample(string id)
    {
        var descriptor = Descriptors().Single(d => d.Id == id);
        string text = File.ReadAllText(Page(id));
        Assert.StartsWith("# " + id + ": " + descriptor.Title + "\n", text, StringComparison.Ordinal);
        Assert.Contains("Severity: " + descriptor.DefaultSeverity.ToString().ToLowerInvariant(), text, StringComparison.Ordinal);
        foreach (var section in new[] { "## Rule", "## Wrong", "## Right" }) Assert.Contains(section + "\n", text, StringComparison.Ordinal);
        Assert.NotEqual(Example(text, "Wrong"), Example(text, "Right"));
        string index = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot(), "docs", "diagnostics", "README.md"));
        Assert.Contains($"| [{id}]({id}.md) | {descriptor.DefaultSeverity.ToString().ToLowerInvariant()} | {descriptor.Title} |", index, StringComparison.Ordinal);
    }

    public static TheoryData<string> CompiledIds() => [.. Descriptors().Select(d => d.Id).Where(Compiles)];

    [Theory]
    [MemberData(nameof(CompiledIds))]
    public async Task Examples_Compile_TheWrongOneWithTheDiagnostic_TheRightOneWithout(string id)
    {
        string text = File.ReadAllText(Page(id));
        Assert.Contains(id, await Diagnose(Example(text, "Wrong")));
        var right = await Diagnose(Example(text, "Right"));
        Assert.Empty(right);
    }

    // The FN diagnostics (generator and analyzer) and compiler errors of one example, as ids.
    private static async Task<List<string>> Diagnose(string source)
    {
        var result = GeneratorHarness.Run(source);
        var analyzer = await result.Output.WithAnalyzers([new SpanLengthAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        return [.. result.FixedNetDiagnostics.Concat(analyzer).Concat(result.CompilationErrors.Where(d => d.Severity == DiagnosticSeverity.Error)).Select(d => d.Id)];
    }

    private static string Example(string page, string section)
    {
        var match = Regex.Match(page, "## " + section + "\n\n```[a-z]*\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, "no example under ## " + section);
        return match.Groups[1].Value;
    }
}
