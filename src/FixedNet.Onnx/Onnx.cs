using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using FixedNet.Operators;
using Google.Protobuf;

namespace FixedNet.Interop;

/// <summary>
/// ONNX interop, written from the published onnx.proto (no generated code, no Python): export a network as an ONNX
/// model (opset 13: Gemm per dense layer, then Sigmoid / Tanh / Relu / LeakyRelu / Elu / Softplus / Softmax, GELU as
/// Div, Erf, Add, Mul, Mul and SiLU as Sigmoid, Mul, node for node as torch.onnx writes them), and import the
/// parameters of an MLP exported by PyTorch (Gemm, or MatMul + Add; those activation forms, or opset 20's Gelu) into a
/// network of the same shape.
/// </summary>
public static class Onnx
{
    /// <summary>The opset the exported models declare.</summary>
    public const int Opset = 13;

    private const long IrVersion = 7; // the IR version that goes with opset 13
    private const int FloatType = 1;  // TensorProto.DataType.FLOAT

    // onnx.proto field numbers
    private const int ModelIrVersion = 1, ModelProducerName = 2, ModelProducerVersion = 3, ModelGraph = 7, ModelOpsetImport = 8;
    private const int OpsetVersion = 2;
    private const int GraphNode = 1, GraphName = 2, GraphInitializer = 5, GraphInput = 11, GraphOutput = 12;
    private const int NodeInput = 1, NodeOutput = 2, NodeName = 3, NodeOpType = 4, NodeAttribute = 5;
    private const int AttributeName = 1, AttributeFloat = 2, AttributeInt = 3, AttributeString = 4, AttributeType = 20;
    private const int TensorDims = 1, TensorDataType = 2, TensorFloatData = 4, TensorName = 8, TensorRawData = 9;
    private const int ValueInfoName = 1, ValueInfoType = 2, TypeTensor = 1, TensorTypeElemType = 1, TensorTypeShape = 2;
    private const int ShapeDim = 1, DimValue = 1, DimParam = 2;
    private const int AttributeTensor = 5, DoubleType = 11, TensorDoubleData = 10;
    private const string GeluSqrt2 = "gelu.sqrt2", GeluOne = "gelu.one", GeluHalf = "gelu.half";

    /// <summary>Writes <paramref name="network"/> (architecture and current parameters) as an ONNX model to <paramref name="path"/>.</summary>
    public static void Save(INetwork network, string path, string inputName = "input", string outputName = "output")
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllBytes(path, Export(network, inputName, outputName));
    }

    /// <summary>
    /// The ONNX model of <paramref name="network"/>: input <paramref name="inputName"/> of shape [batch, inputs],
    /// output <paramref name="outputName"/> of shape [batch, outputs], one Gemm (transB = 1, weights as in
    /// torch.nn.Linear) and one activation node per layer, initializers layers.{l}.weight and layers.{l}.bias.
    /// </summary>
    public static byte[] Export(INetwork network, string inputName = "input", string outputName = "output")
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        ArgumentException.ThrowIfNullOrEmpty(outputName);
        if (inputName == outputName) throw new ArgumentException("The input and output names must differ.", nameof(outputName));
        var architecture = network.Architecture;
        var parameters = network.Parameters;
        var graph = new ProtoWriter().String(GraphName, "FixedNet " + architecture);
        string previous = inputName;
        bool geluConstants = false;
        for (int l = 0; l < architecture.Layers.Count; l++)
        {
            var layer = architecture.Layers[l];
            bool last = l == architecture.Layers.Count - 1;
            string weight = $"layers.{l}.weight", bias = $"layers.{l}.bias";
            graph.Message(GraphInitializer, Tensor(weight, [layer.Size, layer.Inputs], parameters.Slice(layer.WeightOffset, layer.WeightCount)));
            graph.Message(GraphInitializer, Tensor(bias, [layer.Size], parameters.Slice(layer.BiasOffset, layer.Size)));
            bool identity = layer.Activation == Activation.Identity;
            string z = last && identity ? outputName : $"layers.{l}.z";
            graph.Message(GraphNode, Node($"layers.{l}.gemm", "Gemm", [previous, weight, bias], z, new ProtoWriter().String(AttributeName, "transB").Int64(AttributeInt, 1).Int32(AttributeType, 2)));
            previous = z;
            if (identity) continue;
            string a = last ? outputName : $"layers.{l}.a";
            string prefix = $"layers.{l}.";
            switch (layer.Activation)
            {
                case Activation.GELU:
                    // opset 13 has no Gelu: ½·z·(1 + erf(z/√2)), node for node as torch.onnx exports nn.GELU()
                    graph.Message(GraphNode, Node(prefix + "gelu.div", "Div", [z, GeluSqrt2], prefix + "gelu.scaled", null));
                    graph.Message(GraphNode, Node(prefix + "gelu.erf", "Erf", [prefix + "gelu.scaled"], prefix + "gelu.erf", null));
                    graph.Message(GraphNode, Node(prefix + "gelu.add", "Add", [prefix + "gelu.erf", GeluOne], prefix + "gelu.sum", null));
                    graph.Message(GraphNode, Node(prefix + "gelu.mul", "Mul", [z, prefix + "gelu.sum"], prefix + "gelu.product", null));
                    graph.Message(GraphNode, Node(prefix + "gelu.half", "Mul", [prefix + "gelu.product", GeluHalf], a, null));
                    geluConstants = true;
                    break;
                case Activation.SiLU:
                    // z·σ(z), as torch.onnx exports nn.SiLU()
                    graph.Message(GraphNode, Node(prefix + "silu.sigmoid", "Sigmoid", [z], prefix + "silu.sigmoid", null));
                    graph.Message(GraphNode, Node(prefix + "silu.mul", "Mul", [z, prefix + "silu.sigmoid"], a, null));
                    break;
                default:
                    string op = ActivationInfo.Of(layer.Activation).OnnxOperator!;
                    var attribute = layer.Activation switch
                    {
                        Activation.LeakyReLU => new ProtoWriter().String(AttributeName, "alpha").Float(AttributeFloat, LeakyReLUOperator.Slope).Int32(AttributeType, 1),
                        Activation.Softmax => new ProtoWriter().String(AttributeName, "axis").Int64(AttributeInt, 1).Int32(AttributeType, 2),
                        _ => null,
                    };
                    graph.Message(GraphNode, Node(prefix + op.ToLowerInvariant(), op, [z], a, attribute));
                    break;
            }
            previous = a;
        }
        if (geluConstants)
        {
            graph.Message(GraphInitializer, Tensor(GeluSqrt2, [], [MathF.Sqrt(2f)]));
            graph.Message(GraphInitializer, Tensor(GeluOne, [], [1f]));
            graph.Message(GraphInitializer, Tensor(GeluHalf, [], [0.5f]));
        }
        graph.Message(GraphInput, ValueInfo(inputName, architecture.InputSize));
        graph.Message(GraphOutput, ValueInfo(outputName, architecture.OutputSize));

        return new ProtoWriter()
            .Int64(ModelIrVersion, IrVersion)
            .String(ModelProducerName, "FixedNet")
            .String(ModelProducerVersion, typeof(Onnx).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(ModelGraph, graph)
            .Message(ModelOpsetImport, new ProtoWriter().Int64(OpsetVersion, Opset))
            .ToArray();
    }

    /// <summary>
    /// Loads the weights and biases of the ONNX model at <paramref name="path"/> (an MLP as PyTorch exports it) into
    /// <paramref name="network"/>. The model's dense layers and activations must match the network's.
    /// </summary>
    /// <exception cref="InvalidDataException">The model does not parse, or does not match; the message names the initializer or node. The network is then unchanged.</exception>
    public static void LoadParameters(INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ImportParameters(network, File.ReadAllBytes(path), Path.GetFileName(path));
    }

    /// <summary>Loads parameters from the bytes of an ONNX model; see <see cref="LoadParameters(INetwork, string)"/>.</summary>
    public static void ImportParameters(INetwork network, byte[] model, string name = "model")
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(model);
        var architecture = network.Architecture;
        List<LayerData> layers;
        try
        {
            layers = ReadLayers(model, name);
        }
        catch (Exception e) when (IsMalformed(e))
        {
            // A safety net under the checks: whatever else a malformed file trips is still an InvalidDataException naming it.
            throw new InvalidDataException($"{name}: not a valid ONNX model ({e.GetType().Name}: {e.Message}).", e);
        }
        if (layers.Count != architecture.Layers.Count)
            throw new InvalidDataException($"{name}: the model has {layers.Count} dense layers (Gemm or MatMul); the network has {architecture.Layers.Count}.");
        var parameters = new float[architecture.ParameterCount];
        for (int l = 0; l < layers.Count; l++)
        {
            var spec = architecture.Layers[l];
            var found = layers[l];
            // Weights as [outputs, inputs] (torch.nn.Linear); a transposed layout ([inputs, outputs]) is turned round.
            var (rows, columns) = found.Transposed ? (Dim(found.Weight, 1), Dim(found.Weight, 0)) : (Dim(found.Weight, 0), Dim(found.Weight, 1));
            if (found.Weight.Dims.Length != 2 || rows != spec.Size || columns != spec.Inputs)
                throw new InvalidDataException($"{name}: initializer '{found.Weight.Name}' (weight of dense layer {l}) has shape [{string.Join(", ", found.Weight.Dims)}]; "
                    + $"the network's layer {l} needs [{spec.Size}, {spec.Inputs}] ([outputs, inputs]{(found.Transposed ? ", stored transposed as [inputs, outputs]" : string.Empty)}).");
            var weights = parameters.AsSpan(spec.WeightOffset, spec.WeightCount);
            for (int j = 0; j < spec.Size; j++)
                for (int i = 0; i < spec.Inputs; i++)
                    weights[j * spec.Inputs + i] = found.Transposed ? found.Weight.Values[i * spec.Size + j] : found.Weight.Values[j * spec.Inputs + i];
            if (found.Bias is { } bias)
            {
                if (bias.Values.Length != spec.Size || bias.Dims.Length != 1)
                    throw new InvalidDataException($"{name}: initializer '{bias.Name}' (bias of dense layer {l}) has shape [{string.Join(", ", bias.Dims)}]; the network's layer {l} needs [{spec.Size}].");
                bias.Values.CopyTo(parameters.AsSpan(spec.BiasOffset, spec.Size));
            }
            if (found.Activation != spec.Activation)
                throw new InvalidDataException($"{name}: dense layer {l} ('{found.Weight.Name}') is followed by {(found.ActivationNode ?? "no activation")} in the model, but the network's layer {l} uses {spec.Activation}.");
        }
        parameters.CopyTo(network.Parameters);
    }

    // What a malformed file can trip inside the protobuf reading; turned into an InvalidDataException naming the file
    // and, inside an initializer or node, the field being read.
    private static bool IsMalformed(Exception e) =>
        e is InvalidProtocolBufferException or OverflowException or ArgumentException or IndexOutOfRangeException or InvalidCastException;

    // The fields of a nested message; a varint or fixed value in its place, or bytes that do not parse, is an error
    // naming the field (`what`, e.g. "GraphProto.node 3").
    private static List<ProtoField> Fields(ProtoField field, string what, string name)
    {
        var bytes = field.Bytes ?? throw new InvalidDataException($"{name}: {what} (field {field.Number}) must be a message, but is a {field.WireType} value.");
        try
        {
            return ProtoReader.Fields(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{name}: {what} is not a valid message ({e.Message}).", e);
        }
    }

    private static long Dim(InitializerData tensor, int index) => index < tensor.Dims.Length ? tensor.Dims[index] : -1;

    private sealed record InitializerData(string Name, long[] Dims, float[] Values);

    private sealed class LayerData(InitializerData weight, bool transposed)
    {
        public InitializerData Weight { get; } = weight;
        public bool Transposed { get; } = transposed;
        public InitializerData? Bias { get; set; }
        public Activation Activation { get; set; } = Activation.Identity;
        public string? ActivationNode { get; set; }
        public string Output { get; set; } = string.Empty;
        /// <summary>The output of the activation node(s) matched so far.</summary>
        public string? ActivationOutput { get; set; }
        /// <summary>How many nodes of the GELU chain Div, Erf, Add, Mul, Mul have been matched (0: none, 5: all).</summary>
        public int GeluStep { get; set; }
    }

    private static List<LayerData> ReadLayers(byte[] model, string name)
    {
        List<ProtoField> graph;
        try
        {
            var modelFields = ProtoReader.Fields(model);
            var graphField = modelFields.Find(f => f.Number == ModelGraph && f.Bytes is not null);
            if (graphField.Bytes is null) throw new InvalidDataException($"{name}: the model has no graph (ModelProto field 7).");
            graph = ProtoReader.Fields(graphField.Bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{name}: not a valid ONNX protobuf ({e.Message}).", e);
        }

        var initializers = new Dictionary<string, InitializerData>(StringComparer.Ordinal);
        int initializerIndex = 0;
        foreach (var field in graph)
        {
            if (field.Number != GraphInitializer) continue;
            string where = $"GraphProto.initializer {initializerIndex++}";
            var tensor = Fields(field, where, name);
            string step = "TensorProto.name (field 8)";
            try
            {
                string tensorName = tensor.Find(f => f.Number == TensorName).Text;
                step = "TensorProto.data_type (field 2)";
                long type = tensor.Find(f => f.Number == TensorDataType).Integer;
                step = "TensorProto.dims (field 1)";
                var dims = ProtoReader.Varints(tensor, TensorDims).ToArray();
                if (type != FloatType) throw new InvalidDataException($"{name}: initializer '{tensorName}' has data type {type}; only FLOAT (1) is supported.");
                long count = 1;
                foreach (var d in dims)
                {
                    if (d < 0 || (d > 0 && count > Array.MaxLength / d))
                        throw new InvalidDataException($"{name}: initializer '{tensorName}' has shape [{string.Join(", ", dims)}], which is negative or too large for an array.");
                    count *= d;
                }
                float[] values;
                step = "TensorProto.raw_data (field 9)";
                var raw = tensor.Find(f => f.Number == TensorRawData).Bytes;
                if (raw is not null && raw.Length > 0)
                {
                    if (raw.Length != 4 * count) throw new InvalidDataException($"{name}: initializer '{tensorName}' has {raw.Length} bytes of raw data for shape [{string.Join(", ", dims)}].");
                    values = new float[count];
                    FixedNet.Serialization.LittleEndianFloats.Read(raw.Span, values);
                }
                else
                {
                    step = "TensorProto.float_data (field 4)";
                    values = ProtoReader.Floats(tensor, TensorFloatData).ToArray();
                    if (values.Length != count) throw new InvalidDataException($"{name}: initializer '{tensorName}' has {values.Length} floats for shape [{string.Join(", ", dims)}].");
                }
                initializers[tensorName] = new InitializerData(tensorName, dims, values);
            }
            catch (Exception e) when (IsMalformed(e))
            {
                throw new InvalidDataException($"{name}: {where}, {step}: {e.Message}", e);
            }
        }

        var layers = new List<LayerData>();
        var constants = new Dictionary<string, double>(StringComparer.Ordinal);
        LayerData? pendingAdd = null;
        int nodeIndex = 0;
        foreach (var field in graph)
        {
            if (field.Number != GraphNode) continue;
            string where = $"GraphProto.node {nodeIndex++}";
            var node = Fields(field, where, name);
            string step = "NodeProto.op_type (field 4)";
            try
            {
                string op = node.Find(f => f.Number == NodeOpType).Text;
                step = "NodeProto.input (field 1)";
                var inputs = node.FindAll(f => f.Number == NodeInput).ConvertAll(f => f.Text);
                step = "NodeProto.output (field 2)";
                string output = node.Find(f => f.Number == NodeOutput).Text;
                step = "NodeProto.attribute (field 5)";
                var attributes = node.FindAll(f => f.Number == NodeAttribute).ConvertAll(f => Fields(f, where + ", NodeProto.attribute", name));
                switch (op)
                {
                    case "Gemm":
                    {
                        if (Int(attributes, "transA", 0) != 0 || Float(attributes, "alpha", 1f) != 1f || Float(attributes, "beta", 1f) != 1f)
                            throw new InvalidDataException($"{name}: Gemm node '{output}' uses transA, alpha or beta; only Y = A·Bᵀ + C or A·B + C is supported.");
                        var layer = new LayerData(Initializer(initializers, inputs, 1, name, op), Int(attributes, "transB", 0) == 0) { Output = output };
                        if (inputs.Count > 2 && inputs[2].Length > 0) layer.Bias = Initializer(initializers, inputs, 2, name, op);
                        layers.Add(layer);
                        break;
                    }
                    case "MatMul":
                        layers.Add(pendingAdd = new LayerData(Initializer(initializers, inputs, 1, name, op), transposed: true) { Output = output });
                        break;
                    case "Add" when pendingAdd is not null && inputs.Contains(pendingAdd.Output):
                        string biasName = inputs[0] == pendingAdd.Output ? inputs[^1] : inputs[0];
                        pendingAdd.Bias = initializers.TryGetValue(biasName, out var b) ? b : throw new InvalidDataException($"{name}: the bias '{biasName}' of MatMul '{pendingAdd.Output}' is not an initializer.");
                        pendingAdd.Output = output;
                        pendingAdd = null;
                        break;
                    case var _ when ActivationFor(op) is Activation activation:
                    {
                        var last = LayerFor(layers, op, output, name);
                        if (op == "LeakyRelu" && MathF.Abs(Float(attributes, "alpha", 0.01f) - LeakyReLUOperator.Slope) > 1e-7f)
                            throw new InvalidDataException($"{name}: LeakyRelu node '{output}' has alpha {Float(attributes, "alpha", 0.01f).ToString(CultureInfo.InvariantCulture)}; FixedNet's LeakyReLU uses 0.01.");
                        // Softmax over the features of each sample: axis 1 (or −1, the default from opset 13) of [batch, features].
                        if (op == "Softmax" && Int(attributes, "axis", -1) is not (1 or -1))
                            throw new InvalidDataException($"{name}: Softmax node '{output}' normalizes over axis {Int(attributes, "axis", -1)}; FixedNet's softmax is over the features (axis 1 or -1).");
                        if (op == "Elu" && MathF.Abs(Float(attributes, "alpha", 1f) - 1f) > 1e-7f)
                            throw new InvalidDataException($"{name}: Elu node '{output}' has alpha {Float(attributes, "alpha", 1f).ToString(CultureInfo.InvariantCulture)}; FixedNet's ELU uses 1.");
                        last.ActivationNode = op;
                        last.Activation = activation;
                        last.ActivationOutput = output;
                        break;
                    }
                    case "Gelu":
                    {
                        var last = LayerFor(layers, op, output, name);
                        string approximate = Text(attributes, "approximate", "none");
                        if (approximate != "none") throw new InvalidDataException($"{name}: Gelu node '{output}' has approximate='{approximate}'; FixedNet's GELU is the exact one (approximate='none').");
                        (last.ActivationNode, last.Activation, last.ActivationOutput) = (op, Activation.GELU, output);
                        break;
                    }
                    case "Constant":
                        if (ScalarOf(attributes) is double value) constants[output] = value;
                        break;
                    // z·σ(z): a Mul of the layer's z by the output of its Sigmoid
                    case "Mul" when layers.Count > 0 && layers[^1] is { Activation: Activation.Sigmoid, ActivationOutput: { } sigmoid } silu
                        && inputs.Count == 2 && inputs.Contains(sigmoid) && inputs.Contains(silu.Output) && sigmoid != silu.Output:
                        (silu.ActivationNode, silu.Activation, silu.ActivationOutput) = ("Sigmoid, Mul (SiLU)", Activation.SiLU, output);
                        break;
                    case "Div" or "Erf" or "Add" or "Mul" when layers.Count > 0 && MatchesGeluStep(layers[^1], op, inputs, constants, initializers):
                        var gelu = layers[^1];
                        gelu.ActivationOutput = output;
                        if (++gelu.GeluStep == 5) (gelu.ActivationNode, gelu.Activation) = ("Div, Erf, Add, Mul, Mul (GELU)", Activation.GELU);
                        break;
                    case "Identity" or "Flatten" or "Dropout":
                        break;
                    default:
                        throw new InvalidDataException($"{name}: node '{output}' is a {op}, which is not part of an MLP FixedNet can load.");
                }
            }
            catch (Exception e) when (IsMalformed(e))
            {
                throw new InvalidDataException($"{name}: {where}, {step}: {e.Message}", e);
            }
        }
        for (int l = 0; l < layers.Count; l++)
        {
            if (layers[l].GeluStep is > 0 and < 5)
                throw new InvalidDataException($"{name}: dense layer {l} is followed by the first {layers[l].GeluStep} of the 5 nodes of GELU (Div, Erf, Add, Mul, Mul) only.");
        }
        return layers;
    }

    // The dense layer an activation node follows: the last one, which must not have an activation yet.
    private static LayerData LayerFor(List<LayerData> layers, string op, string output, string name)
    {
        if (layers.Count == 0) throw new InvalidDataException($"{name}: {op} node '{output}' comes before any dense layer.");
        var last = layers[^1];
        if (last.ActivationNode is not null || last.GeluStep > 0)
            throw new InvalidDataException($"{name}: dense layer {layers.Count - 1} is followed by two activations, {last.ActivationNode ?? "GELU's Div, Erf, …"} and {op}.");
        return last;
    }

    // The next node of GELU as torch.onnx writes it, ½·(z·(1 + erf(z/√2))): Div(z, √2), Erf, Add(1), Mul(z, ·), Mul(·, ½).
    private static bool MatchesGeluStep(LayerData layer, string op, List<string> inputs, Dictionary<string, double> constants, Dictionary<string, InitializerData> initializers)
    {
        if (layer.ActivationNode is not null || inputs.Count == 0) return false;
        string z = layer.Output;
        string? previous = layer.ActivationOutput;
        bool Takes(string input) => inputs.Contains(input);
        bool ScalarInput(double expected)
        {
            foreach (var input in inputs)
            {
                double? value = constants.TryGetValue(input, out double c) ? c
                    : initializers.TryGetValue(input, out var tensor) && tensor.Values.Length == 1 ? tensor.Values[0] : null;
                if (value is double v && Math.Abs(v - expected) <= 1e-6 * expected) return true;
            }
            return false;
        }
        return (layer.GeluStep, op) switch
        {
            (0, "Div") => inputs.Count == 2 && inputs[0] == z && ScalarInput(Math.Sqrt(2)),
            (1, "Erf") => Takes(previous!),
            (2, "Add") => inputs.Count == 2 && Takes(previous!) && ScalarInput(1),
            (3, "Mul") => inputs.Count == 2 && Takes(previous!) && Takes(z),
            (4, "Mul") => inputs.Count == 2 && Takes(previous!) && ScalarInput(0.5),
            _ => false,
        };
    }

    // The value of a Constant node holding one float or double, else null.
    private static double? ScalarOf(List<List<ProtoField>> attributes)
    {
        var bytes = Attribute(attributes, "value")?.Find(f => f.Number == AttributeTensor).Bytes;
        if (bytes is null) return null;
        var tensor = ProtoReader.Fields(bytes);
        long count = 1;
        foreach (var d in ProtoReader.Varints(tensor, TensorDims)) count *= d;
        if (count != 1) return null;
        long type = tensor.Find(f => f.Number == TensorDataType).Integer;
        var raw = tensor.Find(f => f.Number == TensorRawData).Bytes;
        if (type == FloatType)
        {
            if (raw is { Length: 4 }) return BitConverter.ToSingle(raw.Span);
            var floats = ProtoReader.Floats(tensor, TensorFloatData);
            return floats.Count == 1 ? floats[0] : null;
        }
        if (type == DoubleType)
        {
            if (raw is { Length: 8 }) return BitConverter.ToDouble(raw.Span);
            var field = tensor.Find(f => f.Number == TensorDoubleData);
            if (field.WireType == Google.Protobuf.WireFormat.WireType.Fixed64) return BitConverter.Int64BitsToDouble(field.Integer);
            if (field.Bytes is { Length: 8 } packed) return BitConverter.ToDouble(packed.Span);
        }
        return null;
    }

    // The fields of the node attribute named name, or null.
    private static List<ProtoField>? Attribute(List<List<ProtoField>> attributes, string name) =>
        attributes.Find(fields => fields.Find(f => f.Number == AttributeName).Text == name);

    private static string Text(List<List<ProtoField>> attributes, string attribute, string fallback) =>
        Attribute(attributes, attribute) is { } fields ? fields.Find(f => f.Number == AttributeString).Text : fallback;

    private static InitializerData Initializer(Dictionary<string, InitializerData> initializers, List<string> inputs, int index, string name, string op)
    {
        if (inputs.Count <= index) throw new InvalidDataException($"{name}: a {op} node has {inputs.Count} inputs; expected at least {index + 1}.");
        return initializers.TryGetValue(inputs[index], out var tensor)
            ? tensor
            : throw new InvalidDataException($"{name}: input '{inputs[index]}' of a {op} node is not an initializer; only constant weights can be loaded.");
    }

    private static long Int(List<List<ProtoField>> attributes, string attribute, long fallback) =>
        Attribute(attributes, attribute) is { } fields ? fields.Find(f => f.Number == AttributeInt).Integer : fallback;

    // The activation whose ONNX operator is op (the table in ActivationInfo), or null.
    private static Activation? ActivationFor(string op)
    {
        foreach (var info in ActivationInfo.All)
        {
            if (info.OnnxOperator == op) return info.Activation;
        }
        return null;
    }

    private static float Float(List<List<ProtoField>> attributes, string attribute, float fallback) =>
        Attribute(attributes, attribute) is { } fields ? fields.Find(f => f.Number == AttributeFloat).Float : fallback;

    private static ProtoWriter Tensor(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var tensor = new ProtoWriter();
        foreach (var d in dims) tensor.Int64(TensorDims, d);
        tensor.Int32(TensorDataType, FloatType).String(TensorName, name);
        tensor.Bytes(TensorRawData, FixedNet.Serialization.LittleEndianFloats.ToBytes(values));
        return tensor;
    }

    private static ProtoWriter Node(string name, string op, string[] inputs, string output, ProtoWriter? attribute)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs) node.String(NodeInput, input);
        node.String(NodeOutput, output).String(NodeName, name).String(NodeOpType, op);
        if (attribute is not null) node.Message(NodeAttribute, attribute);
        return node;
    }

    private static ProtoWriter ValueInfo(string name, int width)
    {
        var shape = new ProtoWriter()
            .Message(ShapeDim, new ProtoWriter().String(DimParam, "batch"))
            .Message(ShapeDim, new ProtoWriter().Int64(DimValue, width));
        var tensorType = new ProtoWriter().Int32(TensorTypeElemType, FloatType).Message(TensorTypeShape, shape);
        return new ProtoWriter().String(ValueInfoName, name).Message(ValueInfoType, new ProtoWriter().Message(TypeTensor, tensorType));
    }
}
