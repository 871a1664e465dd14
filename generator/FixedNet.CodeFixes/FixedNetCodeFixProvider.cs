using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FixedNet.CodeFixes;

/// <summary>
/// FN0001: adds <c>partial</c> to the network or to the containing type the diagnostic names. FN0018: writes the
/// network's size constant in place of the wrong literal size (<c>new float[3]</c> → <c>new float[Net.InputSize]</c>,
/// the same for <c>stackalloc</c>); lengths given by an initializer or a collection expression get no fix, since the
/// values themselves are what is wrong.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixedNetCodeFixProvider)), Shared]
public sealed class FixedNetCodeFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("FN0001", "FN0018");

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (diagnostic.Id == "FN0001" && node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } type && !type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                context.RegisterCodeFix(CodeAction.Create($"Make '{type.Identifier.ValueText}' partial",
                    c => Replace(context.Document, root, type, AddPartial(type)), "FN0001"), diagnostic);
            }
            else if (diagnostic.Id == "FN0018" && diagnostic.Properties.TryGetValue("Constant", out var constant) && constant is not null
                && SizeOf(node) is { } size)
            {
                var replacement = SyntaxFactory.ParseExpression(constant).WithTriviaFrom(size);
                context.RegisterCodeFix(CodeAction.Create($"Use {constant}",
                    c => Replace(context.Document, root, size, replacement), "FN0018"), diagnostic);
            }
        }
    }

    // `partial` goes right before the type keyword, after the other modifiers, as C# requires.
    private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax type)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (type.Modifiers.Count == 0)
            return type.WithKeyword(type.Keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(type.Keyword.LeadingTrivia)));
        return type.WithModifiers(type.Modifiers.Add(partial));
    }

    // The size expression of `new float[n]` or `stackalloc float[n]` (parentheses around them allowed); null otherwise.
    private static ExpressionSyntax? SizeOf(SyntaxNode node)
    {
        while (node is ParenthesizedExpressionSyntax parenthesized) node = parenthesized.Expression;
        var type = node switch
        {
            ArrayCreationExpressionSyntax { Initializer: null } array => array.Type,
            StackAllocArrayCreationExpressionSyntax { Initializer: null, Type: ArrayTypeSyntax stack } => stack,
            _ => null,
        };
        return type is { RankSpecifiers.Count: 1 } && type.RankSpecifiers[0].Sizes.Count == 1 ? type.RankSpecifiers[0].Sizes[0] : null;
    }

    private static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode old, SyntaxNode replacement) =>
        Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(old, replacement)));
}
