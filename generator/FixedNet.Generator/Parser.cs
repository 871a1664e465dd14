using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using FixedNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FixedNet.Generator;

/// <summary>Turns a <c>[Network]</c> declaration into a <see cref="NetworkModel"/> or diagnostics. Nothing here keeps a symbol.</summary>
internal static class Parser
{
    public const string NetworkAttributeName = "FixedNet.NetworkAttribute";
    public const string DenseAttributeName = "FixedNet.DenseAttribute";
    public const string DropoutAttributeName = "FixedNet.DropoutAttribute";

    /// <summary>Largest parameter count generated (2²⁶, as <c>FixedNet.NetworkArchitecture.MaxParameterCount</c>).</summary>
    public const long MaxParameterCount = 1L << 26;

    private static readonly ParseResult Skip = new(null, EquatableArray<DiagnosticInfo>.Empty);

    public static ParseResult ParseNetwork(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return Parse(context, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The generator never throws (CS8785 would cost every network its code): one FN0017 at the declaration instead.
            var location = context.TargetNode is TypeDeclarationSyntax declaration ? LocationInfo.From(declaration.Identifier) : null;
            return new ParseResult(null, new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, context.TargetSymbol.Name,
                exception.GetType().Name + ": " + exception.Message) }.ToEquatableArray());
        }
    }

    private static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
            return Skip;
        var networkAttribute = context.Attributes.FirstOrDefault();
        if (networkAttribute is null) return Skip;

        var diagnostics = new List<DiagnosticInfo>();
        var name = type.Name;
        var identifier = LocationInfo.From(declaration.Identifier);

        // The shape of the declaration: a non-static, non-record, non-generic partial class in partial types.
        // a frozen network has only static members, so it may be a static class
        bool declaredFrozen = networkAttribute.NamedArguments.Any(a => a.Key == "Frozen" && a.Value.Value is true);
        if (declaration is not ClassDeclarationSyntax || (type.IsStatic && !declaredFrozen))
        {
            string kind = type.IsStatic ? "static class" : declaration.Keyword.ValueText + (declaration is RecordDeclarationSyntax r && r.ClassOrStructKeyword.ValueText.Length > 0 ? " " + r.ClassOrStructKeyword.ValueText : string.Empty);
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAClass, identifier, name, kind));
        }
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, identifier, name, string.Empty));
        var containingTypes = new List<ContainingTypeModel>();
        for (var parent = declaration.Parent as TypeDeclarationSyntax; parent is not null; parent = parent.Parent as TypeDeclarationSyntax)
        {
            if (!parent.Modifiers.Any(SyntaxKind.PartialKeyword))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, LocationInfo.From(parent.Identifier), parent.Identifier.ValueText,
                    $" (it contains the network '{name}')"));
            var keyword = parent is RecordDeclarationSyntax record
                ? "record" + (record.ClassOrStructKeyword.ValueText.Length > 0 ? " " + record.ClassOrStructKeyword.ValueText : string.Empty)
                : parent.Keyword.ValueText;
            containingTypes.Insert(0, new ContainingTypeModel(keyword, parent.Identifier.ValueText));
        }
        for (var d = declaration; d is not null; d = d.Parent as TypeDeclarationSyntax)
        {
            if (d.Modifiers.Any(SyntaxKind.FileKeyword))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FileLocal, LocationInfo.From(d.Identifier), d.Identifier.ValueText));
        }
        if (declaration.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: var version } && version < LanguageVersion.CSharp11)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LanguageVersion, identifier, name, version.ToDisplayString()));
        for (var t = type; t is not null; t = t.ContainingType)
        {
            if (t.IsGenericType)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.Generic, identifier, name));
                break;
            }
        }

        // [Network(inputSize, Loss = ...)]
        var networkSyntax = networkAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var networkLocation = LocationInfo.From(networkSyntax) ?? identifier;
        if (!TryGetInt(networkAttribute, 0, out int inputSize)) return Skip; // the compiler reports the broken attribute
        if (inputSize <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InputSize, LocationInfo.From(Argument(networkSyntax, 0)) ?? networkLocation, name, Text(inputSize)));
        int lossValue = 0;
        string? weightsPath = null;
        bool frozen = false;
        foreach (var named in networkAttribute.NamedArguments)
        {
            if (named.Key == "Frozen")
            {
                if (named.Value.Kind == TypedConstantKind.Error || named.Value.Value is not bool isFrozen) return Skip;
                frozen = isFrozen;
                continue;
            }
            if (named.Key == "Weights")
            {
                if (named.Value.Kind == TypedConstantKind.Error) return Skip;
                weightsPath = named.Value.Value as string; // null: Weights = null, the same as leaving it out
                continue;
            }
            if (named.Key != "Loss") continue;
            if (named.Value.Kind == TypedConstantKind.Error || named.Value.Value is not int value) return Skip;
            lossValue = value;
        }
        var weightsLocation = LocationInfo.From(NamedArgument(networkSyntax, "Weights")) ?? networkLocation;
        if (frozen && weightsPath is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FrozenWithoutWeights, LocationInfo.From(NamedArgument(networkSyntax, "Frozen")) ?? networkLocation, name));
        if (weightsPath is not null && Weights.WeightsFile.Normalize(weightsPath).Length == 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WeightsNotListed, weightsLocation, name, weightsPath, "; the path is empty"));
        bool lossKnown = Enum.IsDefined(typeof(LossKind), lossValue);
        if (!lossKnown)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, LocationInfo.From(NamedArgument(networkSyntax, "Loss")) ?? networkLocation,
                "FixedNet.Loss", Text(lossValue)));

        // [Dense(size, activation)] and [Dropout(p)] on this declaration, in source order (a dropout has no size: Size -1).
        var layers = new List<(int Size, int Activation, AttributeSyntax? Syntax)>();
        var dropouts = new List<(double Probability, AttributeSyntax Syntax)>();
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? attributeName = attribute.AttributeClass?.ToDisplayString();
            if (attributeName != DenseAttributeName && attributeName != DropoutAttributeName) continue;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
            if (syntax is null || syntax.SyntaxTree != declaration.SyntaxTree || !declaration.Span.Contains(syntax.Span))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SplitDeclaration, LocationInfo.From(syntax) ?? identifier, name));
                continue;
            }
            if (attributeName == DropoutAttributeName)
            {
                double probability = 0.5;
                if (attribute.ConstructorArguments.Length > 0)
                {
                    var argument = attribute.ConstructorArguments[0];
                    if (argument.Kind == TypedConstantKind.Error || argument.Value is not double p) return Skip;
                    probability = p;
                }
                dropouts.Add((probability, syntax));
                continue;
            }
            if (!TryGetInt(attribute, 0, out int size)) return Skip;
            int activation = 0;
            if (attribute.ConstructorArguments.Length > 1)
            {
                if (!TryGetInt(attribute, 1, out activation)) return Skip;
            }
            layers.Add((size, activation, syntax));
        }
        layers.Sort((a, b) => a.Syntax!.SpanStart.CompareTo(b.Syntax!.SpanStart));

        // Each dropout belongs to the dense layer before it; one that has no dense layer on both sides, or follows another, is FN0030.
        var dropoutAfter = new double[layers.Count];
        var dropoutSyntax = new AttributeSyntax?[layers.Count];
        foreach (var (probability, syntax) in dropouts)
        {
            int before = layers.FindLastIndex(layer => layer.Syntax!.SpanStart < syntax.SpanStart);
            string? misplaced = before < 0 ? "comes before the first [Dense] layer"
                : before == layers.Count - 1 ? "comes after the last [Dense] layer, whose outputs are the network's"
                : dropoutSyntax[before] is not null ? "follows another [Dropout] with no [Dense] layer between them"
                : null;
            if (misplaced is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutPlacement, LocationInfo.From(syntax), name, misplaced));
                continue;
            }
            dropoutSyntax[before] = syntax;
            if (probability >= 0 && probability < 1 && (float)probability < 1f) dropoutAfter[before] = probability;
            else diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DropoutProbability, LocationInfo.From(Argument(syntax, 0)) ?? LocationInfo.From(syntax),
                name, Text(before), probability.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
        }

        bool anySplit = diagnostics.Any(d => d.Descriptor == DiagnosticDescriptors.SplitDeclaration);
        if (layers.Count == 0 && !anySplit)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, networkLocation, name));

        var models = new List<LayerModel>();
        long offset = 0;
        int inputs = inputSize;
        bool shapeKnown = inputSize > 0;
        for (int l = 0; l < layers.Count; l++)
        {
            var (size, activation, syntax) = layers[l];
            var location = LocationInfo.From(syntax) ?? identifier;
            if (size <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerSize, LocationInfo.From(Argument(syntax, 0)) ?? location, Text(l), name, Text(size)));
                shapeKnown = false;
            }
            var kind = (ActivationKind)activation;
            if (!Enum.IsDefined(typeof(ActivationKind), activation))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownEnumValue, LocationInfo.From(Argument(syntax, 1)) ?? location,
                    "FixedNet.Activation", Text(activation)));
                kind = ActivationKind.Identity;
            }
            else if (activation == (int)ActivationKind.Softmax && l != layers.Count - 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxNotLast, location, Text(l), name));
                kind = ActivationKind.Identity;
            }
            if (shapeKnown)
            {
                long weights = offset;
                long bias = weights + (long)size * inputs;
                offset = bias + size;
                if (offset <= MaxParameterCount)
                    models.Add(new LayerModel(inputs, size, kind, (int)weights, (int)bias) { Dropout = (float)dropoutAfter[l] });
                inputs = size;
            }
        }
        if (shapeKnown && offset > MaxParameterCount)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, networkLocation, name, Text(offset), Text(MaxParameterCount)));

        if (layers.Count > 0 && lossKnown)
        {
            var last = layers[layers.Count - 1].Activation;
            string lastName = Enum.IsDefined(typeof(ActivationKind), last) ? ((ActivationKind)last).ToString() : Text(last);
            if (lossValue == (int)LossKind.CrossEntropy && last != (int)ActivationKind.Softmax)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CrossEntropyNeedsSoftmax, networkLocation, name, lastName));
            if (lossValue == (int)LossKind.BinaryCrossEntropy && last != (int)ActivationKind.Sigmoid)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BinaryCrossEntropyNeedsSigmoid, networkLocation, name, lastName));
        }

        // Errors in what a layer computes (an activation, a loss or a dropout), not in the shape or the declaration, still get the
        // network's members: generated from a stand-in (the identity for the wrong activation, squared error for the
        // wrong loss, no dropout for a wrong one) so that the FN error is the build's only error, not one line among the CS1061s of every call site.
        // The build fails on the FN error, so the stand-in never runs.
        string? standInFor = null;
        if (diagnostics.Count > 0)
        {
            if (!diagnostics.All(d => IsStandInError(d.Descriptor)) || !shapeKnown || models.Count != layers.Count)
                return new ParseResult(null, diagnostics.ToEquatableArray());
            standInFor = string.Join(", ", diagnostics.Select(d => d.Descriptor.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal));
            if (!lossKnown || diagnostics.Any(d => d.Descriptor == DiagnosticDescriptors.CrossEntropyNeedsSoftmax || d.Descriptor == DiagnosticDescriptors.BinaryCrossEntropyNeedsSigmoid))
                lossValue = (int)LossKind.MeanSquaredError;
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : null;
        var model = new NetworkModel(ns, type.Name, containingTypes.ToEquatableArray(), inputSize, (LossKind)lossValue, models.ToEquatableArray())
        {
            CanConstruct = !type.IsAbstract && (type.BaseType is null || type.BaseType.InstanceConstructors.Any(c =>
                c.DeclaredAccessibility != Accessibility.Private && c.Parameters.All(p => p.IsOptional || p.IsParams))),
            DeclaresConstructors = type.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared),
            WeightsPath = weightsPath is null ? null : Weights.WeightsFile.Normalize(weightsPath),
            Frozen = frozen,
            StandInFor = standInFor,
        };

        // Members of the user's own that the generated part would declare again (CS0102 inside generated code otherwise).
        var generated = new HashSet<string>(Emitter.MemberNames(model), StringComparer.Ordinal);
        if (generated.Contains(name))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberClash, identifier, name, name, "the name of a generated member, which C# does not let a class share"));
        foreach (var member in type.GetMembers())
        {
            if (model.CanConstruct && member is IMethodSymbol { MethodKind: MethodKind.Constructor, IsImplicitlyDeclared: false, Parameters.Length: 1 } constructor
                && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type))
            {
                var at = member.Locations.Length > 0 ? LocationInfo.From(member.Locations[0]) : null;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberClash, at ?? identifier, name, name + "(" + name + ")",
                    "the private copy constructor behind Clone()"));
                continue;
            }
            if (member.IsImplicitlyDeclared || !generated.Contains(member.Name)) continue;
            string what = Array.IndexOf(Emitter.PublicMembers, member.Name) >= 0 ? "part of its public API" : "a private member of its implementation";
            var location = member.Locations.Length > 0 ? LocationInfo.From(member.Locations[0]) : null;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberClash, location ?? identifier, name, member.Name, what));
        }
        if (diagnostics.Any(d => !IsStandInError(d.Descriptor))) return new ParseResult(null, diagnostics.ToEquatableArray());
        return new ParseResult(model, diagnostics.ToEquatableArray()) { WeightsLocation = weightsPath is null ? null : weightsLocation };
    }

    /// <summary>Errors after which the network's members are still generated, from a stand-in model (see <see cref="NetworkModel.StandInFor"/>).</summary>
    private static bool IsStandInError(DiagnosticDescriptor descriptor) =>
        descriptor == DiagnosticDescriptors.SoftmaxNotLast || descriptor == DiagnosticDescriptors.CrossEntropyNeedsSoftmax
        || descriptor == DiagnosticDescriptors.BinaryCrossEntropyNeedsSigmoid || descriptor == DiagnosticDescriptors.UnknownEnumValue
        || descriptor == DiagnosticDescriptors.DropoutProbability || descriptor == DiagnosticDescriptors.DropoutPlacement;

    /// <summary>FN0007 for every <c>[Dense]</c> or <c>[Dropout]</c> on a type that has no <c>[Network]</c>.</summary>
    public static EquatableArray<DiagnosticInfo> ParseOrphanLayers(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type) return EquatableArray<DiagnosticInfo>.Empty;
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == NetworkAttributeName) return EquatableArray<DiagnosticInfo>.Empty;
        }
        var result = new List<DiagnosticInfo>();
        foreach (var attribute in context.Attributes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            result.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DenseWithoutNetwork, LocationInfo.From(syntax), type.Name,
                attribute.AttributeClass?.Name.Replace("Attribute", string.Empty) ?? "Dense"));
        }
        return result.ToEquatableArray();
    }

    private static bool TryGetInt(AttributeData attribute, int index, out int value)
    {
        value = 0;
        if (attribute.ConstructorArguments.Length <= index) return false;
        var argument = attribute.ConstructorArguments[index];
        if (argument.Kind == TypedConstantKind.Error || argument.Value is not int v) return false;
        value = v;
        return true;
    }

    private static SyntaxNode? Argument(AttributeSyntax? syntax, int index)
    {
        var arguments = syntax?.ArgumentList?.Arguments;
        if (arguments is null) return null;
        int positional = 0;
        foreach (var argument in arguments.Value)
        {
            if (argument.NameEquals is not null) continue;
            if (argument.NameColon is not null) return null;
            if (positional++ == index) return argument;
        }
        return null;
    }

    private static SyntaxNode? NamedArgument(AttributeSyntax? syntax, string name) =>
        syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    private static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
