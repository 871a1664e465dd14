using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace FixedNet.Generator;

/// <summary>
/// FN0018, what only a network whose shape is known at compile time can check: a span argument of <c>Forward</c>,
/// <c>ComputeLoss</c>, <c>Backward</c> or <c>TrainStep</c> of a <c>[Network]</c> class whose length the compiler knows
/// (<c>new float[3]</c>, <c>new float[] { … }</c>, <c>stackalloc float[5]</c>, a collection expression <c>[1f, 2f]</c>,
/// sizes that are constants included) and that differs from <c>InputSize</c>, <c>OutputSize</c> or
/// <c>ParameterCount</c>. Nothing else is judged: a length the compiler does not know is never reported.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SpanLengthAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(DiagnosticDescriptors.SpanLength);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var network = start.Compilation.GetTypeByMetadataName(Parser.NetworkAttributeName);
            if (network is null) return;
            start.RegisterOperationAction(c => AnalyzeInvocation(c, network), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, INamedTypeSymbol networkAttribute)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.IsStatic || method.Name is not ("Forward" or "ComputeLoss" or "Backward" or "TrainStep")) return;
        var type = method.ContainingType;
        if (!type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, networkAttribute))) return;
        foreach (var argument in invocation.Arguments)
        {
            string? size = argument.Parameter?.Name switch
            {
                "input" => "InputSize",
                "output" or "target" => "OutputSize",
                "gradient" => "ParameterCount",
                _ => null,
            };
            if (size is null) continue;
            if (type.GetMembers(size).OfType<IFieldSymbol>().FirstOrDefault() is not { HasConstantValue: true, ConstantValue: int expected }) continue;
            if (KnownLength(argument.Value, context) is not int length || length == expected) continue;
            var at = argument.Value.Syntax;
            while (at.Parent is ParenthesizedExpressionSyntax parenthesized) at = parenthesized;
            // the constant a code fix writes instead, as the call site can name it
            var constant = type.ToMinimalDisplayString(argument.SemanticModel!, at.SpanStart) + "." + size;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.SpanLength, at.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add("Constant", constant),
                argument.Parameter!.Name, type.Name, method.Name, length, size, expected));
        }
    }

    /// <summary>The length of the span an argument becomes, where the compiler knows it; null otherwise.</summary>
    private static int? KnownLength(IOperation value, OperationAnalysisContext context)
    {
        while (value is IConversionOperation conversion) value = conversion.Operand;
        if (value is IArrayCreationOperation { DimensionSizes.Length: 1 } array)
            return array.DimensionSizes[0].ConstantValue is { HasValue: true, Value: int n } ? n : null;
        var syntax = value.Syntax;
        while (syntax is ParenthesizedExpressionSyntax parenthesized) syntax = parenthesized.Expression;
        var model = value.SemanticModel;
        if (model is null) return null;
        switch (syntax)
        {
            case StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax type, Initializer: null } when type.RankSpecifiers.Count == 1 && type.RankSpecifiers[0].Sizes.Count == 1:
                return model.GetConstantValue(type.RankSpecifiers[0].Sizes[0], context.CancellationToken) is { HasValue: true, Value: int n } ? n : null;
            case StackAllocArrayCreationExpressionSyntax { Initializer: { } initializer }:
                return initializer.Expressions.Count;
            case ImplicitStackAllocArrayCreationExpressionSyntax { Initializer: var initializer }:
                return initializer.Expressions.Count;
            case CollectionExpressionSyntax collection when collection.Elements.All(e => e is ExpressionElementSyntax):
                return collection.Elements.Count;
            default:
                return null;
        }
    }
}
