using System.Collections.Generic;
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
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;

namespace FixedNet.CodeFixes;

/// <summary>
/// <list type="bullet">
/// <item>FN0001: adds <c>partial</c> to the network or to the containing type the diagnostic names.</item>
/// <item>FN0008 (Softmax on a hidden layer): an element-wise activation in its place (ReLU, Tanh or Sigmoid).</item>
/// <item>FN0009 / FN0010 (loss and last activation disagree): the last layer's activation that fits the loss, or, where
/// the last layer already fits the other loss, that loss.</item>
/// <item>FN0013 ([Dense] on another partial declaration): moves every such layer onto the declaration with [Network],
/// after its own layers, in source order.</item>
/// <item>FN0018: writes the network's size constant in place of the wrong literal size (<c>new float[3]</c> →
/// <c>new float[Net.InputSize]</c>, the same for <c>stackalloc</c>); lengths given by an initializer or a collection
/// expression get no fix, since the values themselves are what is wrong.</item>
/// </list>
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixedNetCodeFixProvider)), Shared]
public sealed class FixedNetCodeFixProvider : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create("FN0001", "FN0008", "FN0009", "FN0010", "FN0013", "FN0018");

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
            else if (diagnostic.Id == "FN0008" && node.FirstAncestorOrSelf<AttributeSyntax>() is { } hidden)
            {
                foreach (var activation in new[] { "ReLU", "Tanh", "Sigmoid" })
                {
                    context.RegisterCodeFix(CodeAction.Create($"Use Activation.{activation} on this hidden layer",
                        c => SetActivation(context.Document, hidden, activation, c), "FN0008." + activation), diagnostic);
                }
            }
            else if (diagnostic.Id is "FN0009" or "FN0010" && node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } network)
            {
                var semantic = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
                var layers = semantic is null ? new List<AttributeSyntax>() : DenseAttributes(network, semantic, context.CancellationToken);
                var loss = semantic is null ? null : LossArgument(network, semantic, context.CancellationToken);
                if (layers.Count == 0) continue;
                var last = layers[layers.Count - 1];
                bool crossEntropy = diagnostic.Id == "FN0009";
                string fitting = crossEntropy ? "Softmax" : "Sigmoid";
                context.RegisterCodeFix(CodeAction.Create($"Use Activation.{fitting} on the last layer",
                    c => SetActivation(context.Document, last, fitting, c), diagnostic.Id + ".Activation"), diagnostic);
                // The last layer may already be what the other loss needs: then that loss is the likelier intent.
                string other = crossEntropy ? "Sigmoid" : "Softmax";
                string otherLoss = crossEntropy ? "BinaryCrossEntropy" : "CrossEntropy";
                if (loss is not null && ActivationName(last) == other)
                {
                    context.RegisterCodeFix(CodeAction.Create($"Use Loss.{otherLoss}",
                        c => ReplaceEnumMember(context.Document, loss.Expression, "Loss", otherLoss, c), diagnostic.Id + ".Loss"), diagnostic);
                }
            }
            else if (diagnostic.Id == "FN0013" && node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } part)
            {
                context.RegisterCodeFix(CodeAction.Create("Move the [Dense] layers onto the declaration with [Network]",
                    c => MoveLayers(context.Document, part, c), "FN0013"), diagnostic);
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

    private const string NetworkAttribute = "FixedNet.NetworkAttribute";
    private const string DenseAttribute = "FixedNet.DenseAttribute";

    private static bool Is(AttributeSyntax attribute, SemanticModel semantic, string name, CancellationToken cancellationToken) =>
        semantic.GetSymbolInfo(attribute, cancellationToken).Symbol?.ContainingType?.ToDisplayString() == name;

    // The [Dense] attributes written on this declaration, in source order.
    private static List<AttributeSyntax> DenseAttributes(TypeDeclarationSyntax type, SemanticModel semantic, CancellationToken cancellationToken) =>
        type.AttributeLists.SelectMany(list => list.Attributes).Where(a => Is(a, semantic, DenseAttribute, cancellationToken)).ToList();

    private static AttributeArgumentSyntax? LossArgument(TypeDeclarationSyntax type, SemanticModel semantic, CancellationToken cancellationToken) =>
        type.AttributeLists.SelectMany(list => list.Attributes).Where(a => Is(a, semantic, NetworkAttribute, cancellationToken))
            .SelectMany(a => a.ArgumentList?.Arguments ?? default).FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Loss");

    // The activation argument of [Dense(size, activation)]: the second positional one, or 'activation:'.
    private static AttributeArgumentSyntax? ActivationArgument(AttributeSyntax dense)
    {
        var arguments = dense.ArgumentList?.Arguments ?? default;
        var named = arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == "activation");
        if (named is not null) return named;
        var positional = arguments.Where(a => a.NameColon is null && a.NameEquals is null).ToList();
        return positional.Count > 1 ? positional[1] : null;
    }

    private static string? ActivationName(AttributeSyntax dense) => ActivationArgument(dense)?.Expression switch
    {
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        null => "Identity",
        _ => null,
    };

    // [Dense(n, X)] → [Dense(n, Activation.<name>)]; [Dense(n)] gets the argument.
    private static async Task<Document> SetActivation(Document document, AttributeSyntax dense, string name, CancellationToken cancellationToken)
    {
        var argument = ActivationArgument(dense);
        if (argument is not null) return await ReplaceEnumMember(document, argument.Expression, "Activation", name, cancellationToken).ConfigureAwait(false);
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var added = SyntaxFactory.AttributeArgument(Qualified("Activation", name));
        var list = dense.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
        return document.WithSyntaxRoot(root!.ReplaceNode(dense, dense.WithArgumentList(list.AddArguments(added))));
    }

    // Keeps the user's own qualification (Activation.X, FixedNet.Activation.X, an alias…) and changes the member only.
    private static async Task<Document> ReplaceEnumMember(Document document, ExpressionSyntax expression, string type, string name, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        ExpressionSyntax replacement = expression is MemberAccessExpressionSyntax member
            ? member.WithName(SyntaxFactory.IdentifierName(name).WithTriviaFrom(member.Name))
            : Qualified(type, name).WithTriviaFrom(expression);
        return document.WithSyntaxRoot(root!.ReplaceNode(expression, replacement));
    }

    // global::FixedNet.<type>.<name>, shortened by the IDE's simplifier to what the file's usings allow.
    private static ExpressionSyntax Qualified(string type, string name) =>
        SyntaxFactory.ParseExpression("global::FixedNet." + type + "." + name).WithAdditionalAnnotations(Simplifier.Annotation);

    // FN0013: every [Dense] on the other declarations of the network goes after the layers of the one with [Network],
    // file by file in the project's order and in source order within a file; attribute lists left empty are removed.
    private static async Task<Solution> MoveLayers(Document document, TypeDeclarationSyntax part, CancellationToken cancellationToken)
    {
        var semantic = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (semantic?.GetDeclaredSymbol(part, cancellationToken) is not INamedTypeSymbol type) return document.Project.Solution;
        var declarations = new List<(Document Document, TypeDeclarationSyntax Syntax, SemanticModel Semantic)>();
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var declarationDocument = document.Project.Solution.GetDocument(reference.SyntaxTree);
            if (declarationDocument is null || await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not TypeDeclarationSyntax syntax) continue;
            var model = await declarationDocument.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (model is not null) declarations.Add((declarationDocument, syntax, model));
        }
        var home = declarations.FirstOrDefault(d => d.Syntax.AttributeLists.SelectMany(l => l.Attributes).Any(a => Is(a, d.Semantic, NetworkAttribute, cancellationToken)));
        if (home.Syntax is null) return document.Project.Solution;

        var documents = document.Project.DocumentIds.ToList();
        var editor = new SolutionEditor(document.Project.Solution);
        var moved = new List<AttributeListSyntax>();
        foreach (var (other, syntax, model) in declarations.Where(d => d.Syntax != home.Syntax)
            .OrderBy(d => documents.IndexOf(d.Document.Id)).ThenBy(d => d.Syntax.SpanStart))
        {
            var otherEditor = await editor.GetDocumentEditorAsync(other.Id, cancellationToken).ConfigureAwait(false);
            foreach (var list in syntax.AttributeLists)
            {
                var layers = list.Attributes.Where(a => Is(a, model, DenseAttribute, cancellationToken)).ToList();
                if (layers.Count == 0) continue;
                if (layers.Count == list.Attributes.Count) otherEditor.RemoveNode(list, SyntaxRemoveOptions.KeepLeadingTrivia);
                else foreach (var layer in layers) otherEditor.RemoveNode(layer);
                moved.Add(SyntaxFactory.AttributeList(SyntaxFactory.SeparatedList(layers.Select(l => l.WithoutTrivia())))
                    .WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed));
            }
        }
        var homeEditor = await editor.GetDocumentEditorAsync(home.Document.Id, cancellationToken).ConfigureAwait(false);
        var anchor = home.Syntax.AttributeLists.Last();
        var indentation = anchor.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia));
        homeEditor.InsertAfter(anchor, moved.Select(list => list.WithLeadingTrivia(indentation).WithTrailingTrivia(anchor.GetTrailingTrivia())));
        return editor.GetChangedSolution();
    }

    private static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode old, SyntaxNode replacement) =>
        Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(old, replacement)));
}
