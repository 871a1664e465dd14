using System.Linq;
using Microsoft.CodeAnalysis;

namespace FixedNet.Generator;

/// <summary>Every error the generator reports. Ids are stable: never renumber, only add.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "FixedNet";

    /// <summary>Where the pages of docs/diagnostics are published (declared first: the descriptors below read it as they initialize; from the build's RepositoryUrl; see the generator's project file).</summary>
    internal static readonly string HelpBase = typeof(DiagnosticDescriptors).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "FixedNet.DiagnosticsHelp")?.Value ?? string.Empty;

    public static readonly DiagnosticDescriptor NotPartial = Create("FN0001",
        "Network type must be partial",
        "'{0}' must be declared partial so that FixedNet can generate its members{1}");

    public static readonly DiagnosticDescriptor Generic = Create("FN0002",
        "Network type must not be generic",
        "'{0}' is generic or nested in a generic type; FixedNet generates code for one concrete shape and cannot generate a generic network");

    public static readonly DiagnosticDescriptor NotAClass = Create("FN0003",
        "Network must be a non-static, non-record class",
        "'{0}' is a {1}; [Network] goes on a non-static, non-record partial class (a static one only with Frozen = true)");

    public static readonly DiagnosticDescriptor InputSize = Create("FN0004",
        "Input size must be positive",
        "The input size of '{0}' is {1}; it must be at least 1");

    public static readonly DiagnosticDescriptor LayerSize = Create("FN0005",
        "Layer size must be positive",
        "Layer {0} of '{1}' has size {2}; it must be at least 1");

    public static readonly DiagnosticDescriptor NoLayers = Create("FN0006",
        "Network has no layers",
        "'{0}' has no [Dense] layer; add at least one, e.g. [Dense(1, Activation.Sigmoid)]");

    public static readonly DiagnosticDescriptor DenseWithoutNetwork = Create("FN0007",
        "Dense layer without Network",
        "'{0}' has [{1}] but no [Network(inputSize)]; add [Network] to declare the input size and loss");

    public static readonly DiagnosticDescriptor SoftmaxNotLast = Create("FN0008",
        "Softmax must be the last layer",
        "Layer {0} of '{1}' uses Softmax, which is only allowed on the last layer: give hidden layers an element-wise activation (Activation.ReLU, Tanh, Sigmoid, GELU…) and put Softmax on the output layer, with Loss.CrossEntropy");

    public static readonly DiagnosticDescriptor CrossEntropyNeedsSoftmax = Create("FN0009",
        "CrossEntropy needs a Softmax output",
        "'{0}' uses Loss.CrossEntropy, but its last layer is {1}; make the last layer Activation.Softmax, or, for one yes/no output per unit, use Loss.BinaryCrossEntropy with a Sigmoid last layer");

    public static readonly DiagnosticDescriptor BinaryCrossEntropyNeedsSigmoid = Create("FN0010",
        "BinaryCrossEntropy needs a Sigmoid output",
        "'{0}' uses Loss.BinaryCrossEntropy, but its last layer is {1}; make the last layer Activation.Sigmoid, or, for one class out of several, use Loss.CrossEntropy with a Softmax last layer");

    public static readonly DiagnosticDescriptor UnknownEnumValue = Create("FN0011",
        "Unknown enum value",
        "{0} has no member with value {1}");

    public static readonly DiagnosticDescriptor TooLarge = Create("FN0012",
        "Network is too large",
        "'{0}' has {1} parameters; FixedNet generates at most {2}");

    public static readonly DiagnosticDescriptor SplitDeclaration = Create("FN0013",
        "Layers split over partial declarations",
        "[Dense] and [Dropout] layers of '{0}' must all be on the declaration that has [Network], so that their order is defined");

    public static readonly DiagnosticDescriptor LanguageVersion = Create("FN0014",
        "C# 11 or later is required",
        "'{0}' cannot be generated for C# {1}: the generated code needs C# 11 or later (static abstract interface members); set <LangVersion> to 11 or later, or remove it to use the SDK's default");

    public static readonly DiagnosticDescriptor FileLocal = Create("FN0015",
        "Network type must not be file-local",
        "'{0}' is a file-local type; its generated part lives in another file, which a file-local type cannot span: remove the 'file' modifier");

    public static readonly DiagnosticDescriptor MemberClash = Create("FN0016",
        "Member name taken by the generated code",
        "'{0}' declares '{1}', a name FixedNet generates for the network ({2}); rename the member");

    public static readonly DiagnosticDescriptor InternalError = Create("FN0017",
        "FixedNet could not generate a network",
        "FixedNet failed to generate '{0}' ({1}); the other networks are unaffected. Please report this with the declaration.");

    public static readonly DiagnosticDescriptor SpanLength = Create("FN0018",
        "Span length differs from the network's size",
        "'{0}' of {1}.{2} gets {3} values, but {1}.{4} is {5}; this call throws ArgumentException at run time",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor WeightsNotListed = Create("FN0019",
        "Weights file not handed to the compiler",
        "'{0}' bakes the weights file '{1}', but the project does not list it: add <FixedNetWeights Include=\"{1}\" /> to an ItemGroup (the path relative to the project, as here){2}");

    public static readonly DiagnosticDescriptor WeightsUnreadable = Create("FN0020",
        "Weights file cannot be read",
        "The weights file '{1}' of '{0}' cannot be read: {2}");

    public static readonly DiagnosticDescriptor WeightsMissingTensor = Create("FN0021",
        "Weights file lacks a tensor",
        "The weights file '{1}' has no tensor {2} for '{0}' ({3})");

    public static readonly DiagnosticDescriptor WeightsExtraTensor = Create("FN0022",
        "Weights file has a tensor the network does not",
        "The weights file '{1}' has tensor '{2}', which is not a parameter of '{0}' ({3})");

    public static readonly DiagnosticDescriptor WeightsShape = Create("FN0023",
        "Weights tensor has the wrong shape",
        "Tensor '{2}' of the weights file '{1}': expected {3}, found {4}{5}");

    public static readonly DiagnosticDescriptor WeightsDType = Create("FN0024",
        "Weights tensor has an unsupported type",
        "Tensor '{2}' of the weights file '{1}' has dtype {3}; FixedNet bakes F32 and converts F64, F16 and BF16 (for '{0}')");

    public static readonly DiagnosticDescriptor WeightsConverted = Create("FN0025",
        "Weights tensor converted to F32",
        "Tensor '{2}' of the weights file '{1}' is {3}; '{0}' bakes it converted to F32{4}",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor WeightsNotFinite = Create("FN0026",
        "Weights tensor holds a value that is not finite",
        "Tensor '{2}' of the weights file '{1}' holds {3} at index {4}; the parameters of '{0}' must be finite numbers");

    public static readonly DiagnosticDescriptor FrozenWithoutWeights = Create("FN0027",
        "A frozen network needs baked weights",
        "'{0}' is Frozen, which bakes its weights in for inference only, but names no weights file: add Weights = \"….safetensors\", or remove Frozen to get a trainable network");

    public static readonly DiagnosticDescriptor WeightsActivation = Create("FN0028",
        "The ONNX graph has another activation",
        "Dense layer {2} of '{0}' is followed by {3} in the ONNX model '{1}', but its [Dense] declares {4}");

    public static readonly DiagnosticDescriptor DropoutProbability = Create("FN0029",
        "Dropout probability must be in [0, 1)",
        "The dropout after dense layer {1} of '{0}' has probability {2}; it must be at least 0 and below 1 (0.5 is PyTorch's default)");

    public static readonly DiagnosticDescriptor DropoutPlacement = Create("FN0030",
        "Dropout must sit between two dense layers",
        "The [Dropout] of '{0}' {1}; a dropout goes after a hidden [Dense] layer and before the next one");

    /// <summary>The help link of a diagnostic id: its page in docs/diagnostics, the rule with a wrong and a right example.</summary>
    internal static string HelpLink(string id) => HelpBase.Length == 0 ? string.Empty : HelpBase + id + ".md";

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity = DiagnosticSeverity.Error) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpLink(id));
}
