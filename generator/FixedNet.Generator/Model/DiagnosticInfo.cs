using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace FixedNet.Generator.Model;

/// <summary>
/// Where a diagnostic points: the syntax tree itself and a span in it. The tree identifies the file exactly (two trees
/// without a path, or with the same path, stay apart), and it compares by reference, so the diagnostics of a file that
/// did not change stay equal, and cached, when another file changes. It holds no compilation, symbol or node.
/// </summary>
internal readonly record struct LocationInfo(SyntaxTree Tree, TextSpan Span)
{
    /// <summary>A location in the user's tree: '#pragma warning disable FN…' and .editorconfig severities apply to it.</summary>
    public Location ToLocation() => Location.Create(Tree, Span);

    public static LocationInfo? From(SyntaxNode? node) => node?.SyntaxTree is { } tree ? new LocationInfo(tree, node.Span) : null;

    public static LocationInfo? From(SyntaxToken token) => token.SyntaxTree is { } tree ? new LocationInfo(tree, token.Span) : null;

    public static LocationInfo? From(Location location) => location.SourceTree is { } tree ? new LocationInfo(tree, location.SourceSpan) : null;
}

/// <summary>A diagnostic carried as data: descriptor, location and message arguments.</summary>
internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor, location, new EquatableArray<string>(arguments));

    public Diagnostic ToDiagnostic()
    {
        var args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++) args[i] = Arguments[i];
        return Diagnostic.Create(Descriptor, Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None, args);
    }
}

/// <summary>What parsing one <c>[Network]</c> declaration produced: a model to emit, or the reasons it cannot be.</summary>
internal sealed record ParseResult(NetworkModel? Model, EquatableArray<DiagnosticInfo> Diagnostics)
{
    /// <summary>Where the <c>Weights</c> argument is, for the diagnostics of matching the file (not part of the model, so that moving the declaration leaves the emitted code cached).</summary>
    public LocationInfo? WeightsLocation { get; init; }
}
