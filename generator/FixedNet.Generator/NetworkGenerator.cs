using System;
using FixedNet.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FixedNet.Generator;

/// <summary>
/// The FixedNet source generator: for every <c>[Network]</c> partial class it emits Forward, Backward, TrainStep and
/// friends specialized for exactly the declared layer shapes. This file holds the pipeline only; see
/// <see cref="Parser"/> (symbols → model) and <see cref="Emitter"/> (model → C#).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.NetworkAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.ParseNetwork(ctx, ct))
            .WithTrackingName(TrackingNames.ParseNetworks);

        var models = parsed
            .Where(static result => result.Model is not null)
            .Select(static (result, _) => result.Model!)
            .WithTrackingName(TrackingNames.NetworkModels);

        // Networks with Weights = "…": matched against the weights files the build encoded (buildTransitive/FixedNet.targets).
        // Each file is decoded and parsed once (cached while it does not change); the match runs again only for a new
        // model, location or set of files, and its model (parameters included) compares by value, so the emitted code
        // stays cached unless the weights themselves changed.
        var weightFiles = context.AdditionalTextsProvider
            .Where(static text => Weights.WeightsFile.IsEncoded(text))
            .Select(static (text, ct) => Weights.WeightsFile.Read(text, ct))
            .WithTrackingName(TrackingNames.WeightFiles)
            .Collect();
        var baked = parsed
            .Where(static result => result.Model is { WeightsPath: not null })
            .Combine(weightFiles)
            .Select(static (pair, _) => Bake(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.BakedNetworks);
        var bakedModels = baked.Select(static (result, _) => result.Model).WithTrackingName(TrackingNames.BakedModels);
        var bakeDiagnostics = baked.SelectMany(static (result, _) => result.Diagnostics);

        var diagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.NetworkDiagnostics);

        var orphans = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.DenseAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.ParseOrphanLayers(ctx, ct))
            .SelectMany(static (result, _) => result)
            .WithTrackingName(TrackingNames.OrphanLayers);
        var orphanDropouts = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.DropoutAttributeName,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => Parser.ParseOrphanLayers(ctx, ct))
            .SelectMany(static (result, _) => result);

        // Hint names must differ ignoring case, and core types (FixedNet.Generated.{Name}Core) must differ; two networks may
        // not: the names of all networks decide each one's hint and core.
        // Only the names are collected, so a change inside one network leaves the others' outputs cached.
        var hintNames = models
            .Select(static (model, _) => model.FullName)
            .Collect()
            .Select(static (names, _) => HintNames.Assign(names))
            .WithTrackingName(TrackingNames.HintNames);

        context.RegisterSourceOutput(models.Where(static m => m.WeightsPath is null).Combine(hintNames), static (spc, pair) => Emit(spc, pair.Left, pair.Right));
        context.RegisterSourceOutput(bakedModels.Combine(hintNames), static (spc, pair) => Emit(spc, pair.Left, pair.Right));
        context.RegisterSourceOutput(bakeDiagnostics, static (spc, info) => spc.ReportDiagnostic(info.ToDiagnostic()));
        // Each diagnostic carries its syntax tree, so it is reported at a real source location ('#pragma warning disable
        // FN…' and .editorconfig severities apply) without the compilation: no CompilationProvider here, whose every
        // change would rerun this step; an edit elsewhere leaves these diagnostics cached.
        context.RegisterSourceOutput(diagnostics, static (spc, info) => spc.ReportDiagnostic(info.ToDiagnostic()));
        context.RegisterSourceOutput(orphans, static (spc, info) => spc.ReportDiagnostic(info.ToDiagnostic()));
        context.RegisterSourceOutput(orphanDropouts, static (spc, info) => spc.ReportDiagnostic(info.ToDiagnostic()));
    }

    // Matching a network to its weights file; like Emit below, a failure is one FN0017 naming the network, never a throw.
    private static Weights.BakeResult Bake(ParseResult parsed, System.Collections.Immutable.ImmutableArray<Weights.WeightsFile?> files)
    {
        try
        {
            return Weights.Baker.Bake(parsed.Model!, parsed.WeightsLocation, files);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return new Weights.BakeResult(parsed.Model!, new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, parsed.WeightsLocation, parsed.Model!.TypeName,
                exception.GetType().Name + ": " + exception.Message) }.ToEquatableArray());
        }
    }

    // The generator never throws (a throw is CS8785 and costs every network its code): a failure here is one FN0017
    // naming the network, and the other networks still generate.
    private static void Emit(SourceProductionContext context, NetworkModel model, HintNames hintNames)
    {
        string source;
        try
        {
            source = Emitter.Emit(model, hintNames.CoreOf(model.FullName));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, model.FullName, exception.GetType().Name + ": " + exception.Message));
            return;
        }
        context.AddSource(hintNames.Of(model.FullName), source);
    }
}
