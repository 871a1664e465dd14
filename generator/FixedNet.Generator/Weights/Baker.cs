using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using FixedNet.Generator.Model;

namespace FixedNet.Generator.Weights;

/// <summary>What matching a network against its weights file produced: the model to emit and the diagnostics to report.</summary>
internal sealed record BakeResult(NetworkModel Model, EquatableArray<DiagnosticInfo> Diagnostics);

/// <summary>
/// Matches the tensors of a weights file to a network's layers and lays them out as FixedNet's parameters
/// (torch.nn.Linear's layout, layer by layer: weight [outputs, inputs] row-major, then bias). Two namings are read:
/// FixedNet's own (<c>layers.{l}.weight</c>, <c>layers.{l}.bias</c>, as <c>Safetensors.Save</c> writes them) and a
/// <c>torch.nn.Sequential</c> state_dict's (<c>{index}.weight</c>, <c>{index}.bias</c>, with any common prefix such as
/// <c>net.</c>), whose Linear layers are taken in the order of their indices.
/// </summary>
internal static class Baker
{
    private const int MaxReported = 8;

    public static BakeResult Bake(NetworkModel model, LocationInfo? location, ImmutableArray<WeightsFile?> files)
    {
        var diagnostics = new List<DiagnosticInfo>();
        string name = model.TypeName, path = model.WeightsPath!;
        void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, params string[] arguments)
        {
            if (diagnostics.Count < MaxReported) diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
        }
        BakeResult Failed() => new(model, diagnostics.ToEquatableArray());

        var file = files.FirstOrDefault(f => f is not null && string.Equals(f.Path, path, StringComparison.Ordinal));
        if (file is null)
        {
            var listed = files.Where(f => f is not null).Select(f => "'" + f!.Path + "'").OrderBy(p => p, StringComparer.Ordinal).ToList();
            var nearly = files.FirstOrDefault(f => f is not null && string.Equals(f.Path, path, StringComparison.OrdinalIgnoreCase));
            string hint = nearly is not null ? $"; it lists '{nearly.Path}', which differs in case"
                : listed.Count > 0 ? "; it lists " + string.Join(", ", listed) : string.Empty;
            Report(DiagnosticDescriptors.WeightsNotListed, name, path, hint);
            return Failed();
        }
        if (file.Error is not null)
        {
            Report(DiagnosticDescriptors.WeightsUnreadable, name, path, file.Error);
            return Failed();
        }

        // Linear layers in the file: prefix → (weight, bias), and their order
        var layers = new Dictionary<string, (WeightsTensor? Weight, WeightsTensor? Bias)>(StringComparer.Ordinal);
        foreach (var tensor in file.Tensors)
        {
            int dot = tensor.Name.LastIndexOf('.');
            string kind = dot < 0 ? string.Empty : tensor.Name.Substring(dot + 1);
            if (kind is not ("weight" or "bias"))
            {
                Report(DiagnosticDescriptors.WeightsExtraTensor, name, path, tensor.Name, "FixedNet reads the weight and bias of each Linear layer: '{prefix}.weight', '{prefix}.bias'");
                continue;
            }
            string prefix = tensor.Name.Substring(0, dot);
            layers.TryGetValue(prefix, out var pair);
            layers[prefix] = kind == "weight" ? (tensor, pair.Bias) : (pair.Weight, tensor);
        }
        if (diagnostics.Count > 0) return Failed();

        var ordered = new List<(string Prefix, long Index)>();
        string? stem = null;
        foreach (var prefix in layers.Keys)
        {
            int dot = prefix.LastIndexOf('.');
            string head = dot < 0 ? string.Empty : prefix.Substring(0, dot + 1), tail = prefix.Substring(dot + 1);
            if (!long.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out long index) || (stem is not null && stem != head))
            {
                Report(DiagnosticDescriptors.WeightsExtraTensor, name, path, prefix + "." + (layers[prefix].Weight is not null ? "weight" : "bias"),
                    "FixedNet reads layers named 'layers.{l}.' (its own) or '{index}.' with one common prefix (a torch.nn.Sequential state_dict), found " +
                    string.Join(", ", layers.Keys.OrderBy(k => k, StringComparer.Ordinal).Select(k => "'" + k + ".'")));
                return Failed();
            }
            stem = head;
            ordered.Add((prefix, index));
        }
        ordered.Sort((a, b) => a.Index.CompareTo(b.Index));
        bool own = stem == "layers.";
        string expectedLayers = $"'{name}' has {model.Layers.Count} dense layer{(model.Layers.Count == 1 ? "" : "s")}, the file {ordered.Count} Linear layer{(ordered.Count == 1 ? "" : "s")}: " +
            string.Join(", ", ordered.Select(o => "'" + o.Prefix + ".'"));
        for (int l = model.Layers.Count; l < ordered.Count; l++)
        {
            var extra = layers[ordered[l].Prefix];
            Report(DiagnosticDescriptors.WeightsExtraTensor, name, path, (extra.Weight ?? extra.Bias)!.Name, expectedLayers);
        }
        for (int l = ordered.Count; l < model.Layers.Count; l++)
        {
            string missing = own ? $"'layers.{l}.weight'" : $"for layer {l}";
            Report(DiagnosticDescriptors.WeightsMissingTensor, name, path, missing, expectedLayers);
        }
        if (own)
        {
            for (int l = 0; l < ordered.Count && l < model.Layers.Count; l++)
            {
                if (ordered[l].Index != l)
                    Report(DiagnosticDescriptors.WeightsMissingTensor, name, path, $"'layers.{l}.weight'", "its layers are numbered from 0 without gaps; " + expectedLayers);
            }
        }
        if (diagnostics.Count > 0) return Failed();

        var bits = new int[model.ParameterCount];
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var layer = model.Layers[l];
            var (prefix, _) = ordered[l];
            var (weight, bias) = layers[prefix];
            if (weight is null) Report(DiagnosticDescriptors.WeightsMissingTensor, name, path, $"'{prefix}.weight'", $"layer {l} has '{prefix}.bias' only");
            else Copy(weight, new long[] { layer.Size, layer.Inputs }, layer.WeightOffset, $"[{layer.Size}, {layer.Inputs}] (outputs × inputs, as torch.nn.Linear: layer {l}, {layer.Inputs} → {layer.Size})");
            if (bias is null) Report(DiagnosticDescriptors.WeightsMissingTensor, name, path, $"'{prefix}.bias'", $"layer {l} has '{prefix}.weight' only; a Linear layer made with bias=False cannot be baked into FixedNet's dense layers, which have biases");
            else Copy(bias, new long[] { layer.Size }, layer.BiasOffset, $"[{layer.Size}] (layer {l}'s outputs)");
        }
        // an ONNX graph also says which activation follows each layer: it must be the declared one
        for (int l = 0; l < file.Activations.Count && l < model.Layers.Count; l++)
        {
            var found = (ActivationKind)file.Activations[l];
            if (found != model.Layers[l].Activation)
                Report(DiagnosticDescriptors.WeightsActivation, name, path, l.ToString(CultureInfo.InvariantCulture),
                    found == ActivationKind.Identity ? "no activation" : found.ToString(), model.Layers[l].Activation.ToString());
        }
        if (diagnostics.Any(d => d.Descriptor.DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)) return Failed();
        return new BakeResult(model with { BakedBits = new EquatableArray<int>(bits) }, diagnostics.ToEquatableArray());

        void Copy(WeightsTensor tensor, long[] shape, int offset, string expected)
        {
            if (tensor.Bits.IsEmpty && tensor.Shape.Aggregate(1L, (a, b) => a * b) > 0)
            {
                Report(DiagnosticDescriptors.WeightsDType, name, path, tensor.Name, tensor.DType);
                return;
            }
            if (!tensor.Shape.SequenceEqual(shape))
            {
                bool transposed = shape.Length == 2 && tensor.Shape.Count == 2 && tensor.Shape[0] == shape[1] && tensor.Shape[1] == shape[0];
                Report(DiagnosticDescriptors.WeightsShape, name, path, tensor.Name, expected, tensor.ShapeText, transposed ? "; transposed? (a Keras Dense kernel is [inputs, outputs]: transpose it before saving)" : string.Empty);
                return;
            }
            for (int i = 0; i < tensor.Bits.Count; i++)
            {
                int b = tensor.Bits[i];
                if ((b & 0x7F800000) == 0x7F800000)
                {
                    string what = (b & 0x007FFFFF) != 0 ? "NaN" : b < 0 ? "-Infinity" : "Infinity";
                    Report(DiagnosticDescriptors.WeightsNotFinite, name, path, tensor.Name, what, i.ToString(CultureInfo.InvariantCulture));
                    return;
                }
                bits[offset + i] = b;
            }
            if (tensor.DType != "F32")
            {
                string note = tensor.DType == "F64" ? " (rounded to nearest; save it as float32 to bake exactly the values you trained)" : " (exactly: every " + tensor.DType + " value is a float)";
                Report(DiagnosticDescriptors.WeightsConverted, name, path, tensor.Name, tensor.DType, note);
            }
        }
    }
}
