using System;
using System.Collections.Generic;
using System.Text;
using FixedNet.Generator.Model;

namespace FixedNet.Generator.Weights;

/// <summary>
/// The dense layers of an ONNX model (as <c>Onnx.LoadParameters</c> reads them at run time), read without protobuf
/// libraries: Gemm (weight [outputs, inputs] with transB = 1, as torch.onnx writes Linear; [inputs, outputs] with
/// transB = 0), or MatMul (weight [inputs, outputs]) followed by an Add of the bias; initializers by position in the
/// graph, each layer's activation from the node that follows it. The layers come out as tensors under FixedNet's names
/// (<c>layers.{l}.weight</c> as [outputs, inputs], <c>layers.{l}.bias</c>), so that <see cref="Baker"/> checks them as
/// it checks a safetensors file, plus the activation each layer has in the graph.
/// </summary>
internal static class OnnxWeights
{
    private sealed class Layer(string weightName, WeightsTensor weight, bool transposed)
    {
        public string WeightName { get; } = weightName;
        public WeightsTensor Weight { get; } = weight;
        public bool Transposed { get; } = transposed;
        public WeightsTensor? Bias { get; set; }
        public string Output { get; set; } = string.Empty;
        public ActivationKind Activation { get; set; } = ActivationKind.Identity;
        public string? SigmoidOutput { get; set; }
    }

    public static WeightsFile Parse(string path, byte[] bytes)
    {
        try
        {
            return Read(path, bytes);
        }
        catch (FormatException e)
        {
            return new WeightsFile(path, EquatableArray<WeightsTensor>.Empty, e.Message);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return new WeightsFile(path, EquatableArray<WeightsTensor>.Empty, "not a valid ONNX model (" + e.Message + ")");
        }
    }

    private static WeightsFile Read(string path, byte[] bytes)
    {
        var model = Fields(bytes, 0, bytes.Length, "ModelProto");
        var graphField = model.Find(f => f.Number == 7 && f.Length >= 0);
        if (graphField.Number != 7) throw new FormatException("the model has no graph (ModelProto field 7)");
        var graph = Fields(bytes, graphField.Offset, graphField.Length, "ModelProto.graph");

        var initializers = new Dictionary<string, WeightsTensor>(StringComparer.Ordinal);
        int index = 0;
        foreach (var field in graph)
        {
            if (field.Number != 5) continue;
            var tensor = Tensor(bytes, field, $"GraphProto.initializer {index++}");
            initializers[tensor.Name] = tensor;
        }

        var layers = new List<Layer>();
        Layer? last = null;
        int nodeIndex = 0;
        foreach (var field in graph)
        {
            if (field.Number != 1) continue;
            string where = $"GraphProto.node {nodeIndex++}";
            if (field.Length < 0) throw new FormatException(where + " is not a message");
            var node = Fields(bytes, field.Offset, field.Length, where);
            string op = Text(bytes, node.Find(f => f.Number == 4));
            var inputs = node.FindAll(f => f.Number == 1).ConvertAll(f => Text(bytes, f));
            var outputs = node.FindAll(f => f.Number == 2).ConvertAll(f => Text(bytes, f));
            string output = outputs.Count > 0 ? outputs[0] : string.Empty;
            bool follows = last is not null && inputs.Contains(last.Output);
            switch (op)
            {
                case "Gemm":
                    if (inputs.Count < 2 || !initializers.TryGetValue(inputs[1], out var gemmWeight))
                        throw new FormatException($"{where}: Gemm's weight (input B) is not an initializer");
                    bool transB = Attribute(bytes, node, "transB") == 1;
                    last = new Layer(inputs[1], gemmWeight, transposed: !transB) { Output = output };
                    if (inputs.Count > 2 && initializers.TryGetValue(inputs[2], out var gemmBias)) last.Bias = gemmBias;
                    layers.Add(last);
                    break;
                case "MatMul":
                    if (inputs.Count < 2 || !initializers.TryGetValue(inputs[1], out var matMulWeight))
                        throw new FormatException($"{where}: MatMul's weight (its second input) is not an initializer");
                    last = new Layer(inputs[1], matMulWeight, transposed: true) { Output = output };
                    layers.Add(last);
                    break;
                case "Add" when follows && last!.Bias is null && inputs.Exists(initializers.ContainsKey):
                    last.Bias = initializers[inputs.Find(initializers.ContainsKey)];
                    last.Output = output;
                    break;
                case "Relu" when follows: Set(ActivationKind.ReLU); break;
                case "Tanh" when follows: Set(ActivationKind.Tanh); break;
                case "Softmax" when follows: Set(ActivationKind.Softmax); break;
                case "LeakyRelu" when follows: Set(ActivationKind.LeakyReLU); break;
                case "Elu" when follows: Set(ActivationKind.ELU); break;
                case "Softplus" when follows: Set(ActivationKind.Softplus); break;
                case "Gelu" when follows: Set(ActivationKind.GELU); break;
                case "Sigmoid" when follows:
                    // Sigmoid alone, or SiLU as torch.onnx writes it below opset 14: x·Sigmoid(x) (a Mul of both)
                    last!.SigmoidOutput = output;
                    last.Activation = ActivationKind.Sigmoid;
                    break;
                case "Mul" when last?.SigmoidOutput is { } sigmoid && inputs.Contains(sigmoid) && inputs.Contains(last.Output):
                    Set(ActivationKind.SiLU);
                    break;
                case "Erf":
                    // GELU as torch.onnx writes it below opset 20: x·0.5·(1 + erf(x/√2)), Div, Erf, Add, Mul, Mul
                    if (last is not null) last.Activation = ActivationKind.GELU;
                    break;
            }

            void Set(ActivationKind activation)
            {
                last!.Activation = activation;
                last.Output = output;
                last.SigmoidOutput = null;
            }
        }

        var tensors = new List<WeightsTensor>();
        var activations = new List<int>();
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var weight = layer.Weight;
            if (layer.Transposed && weight.Shape.Count == 2 && !weight.Bits.IsEmpty)
            {
                // [inputs, outputs] to [outputs, inputs]
                int rows = (int)weight.Shape[0], columns = (int)weight.Shape[1];
                var bits = new int[weight.Bits.Count];
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < columns; j++) bits[j * rows + i] = weight.Bits[i * columns + j];
                weight = weight with { Shape = new EquatableArray<long>(new long[] { columns, rows }), Bits = new EquatableArray<int>(bits) };
            }
            tensors.Add(weight with { Name = $"layers.{l}.weight" });
            if (layer.Bias is not null) tensors.Add(layer.Bias with { Name = $"layers.{l}.bias" });
            activations.Add((int)layer.Activation);
        }
        return new WeightsFile(path, tensors.ToEquatableArray(), null) { Activations = new EquatableArray<int>(activations.ToArray()) };
    }

    private static WeightsTensor Tensor(byte[] bytes, Field field, string where)
    {
        if (field.Length < 0) throw new FormatException(where + " is not a message");
        var tensor = Fields(bytes, field.Offset, field.Length, where);
        string name = Text(bytes, tensor.Find(f => f.Number == 8));
        var dims = new List<long>();
        foreach (var d in tensor.FindAll(f => f.Number == 1))
        {
            if (d.Length < 0) dims.Add(d.Value);
            else for (int next = d.Offset; next < d.Offset + d.Length;) dims.Add((long)Varint(bytes, ref next, d.Offset + d.Length));
        }
        long type = tensor.Find(f => f.Number == 2).Value;
        if (tensor.Exists(f => f.Number == 14 && f.Value == 1)) throw new FormatException($"{where} ('{name}'): its data is in an external file, which FixedNet does not read");
        string dtype = type switch { 1 => "F32", 11 => "F64", 10 => "F16", 16 => "BF16", _ => "ONNX type " + type };
        long count = 1;
        foreach (var d in dims) count = checked(count * d);
        var raw = tensor.Find(f => f.Number == 9);
        byte[] data = bytes;
        int at = raw.Offset, length = raw.Length;
        string? place = null;
        if (raw.Number != 9 || raw.Length <= 0)
        {
            // float_data (field 4) or double_data (field 10), packed or not
            var values = new List<byte>();
            int number = type == 11 ? 10 : 4;
            foreach (var f in tensor.FindAll(f => f.Number == number))
            {
                if (f.Length >= 0) for (int i = 0; i < f.Length; i++) values.Add(bytes[f.Offset + i]);
                else values.AddRange(number == 10 ? BitConverter.GetBytes(f.Value) : BitConverter.GetBytes((int)f.Value));
            }
            (data, at, length, place) = (values.ToArray(), 0, values.Count, number == 10 ? "in TensorProto.double_data" : "in TensorProto.float_data");
        }
        var result = WeightsFile.Tensor(name, dtype, dims.ToArray(), count, data, at, length, out string? error, place);
        if (error is not null) throw new FormatException($"{where}: {error}");
        return result;
    }

    private static long Attribute(byte[] bytes, List<Field> node, string name)
    {
        foreach (var field in node.FindAll(f => f.Number == 5 && f.Length >= 0))
        {
            var attribute = Fields(bytes, field.Offset, field.Length, "NodeProto.attribute");
            if (Text(bytes, attribute.Find(f => f.Number == 1)) == name) return attribute.Find(f => f.Number == 3).Value;
        }
        return 0;
    }

    private static string Text(byte[] bytes, Field field) => field.Length > 0 ? Encoding.UTF8.GetString(bytes, field.Offset, field.Length) : string.Empty;

    /// <summary>A protobuf field: its number and either a value (varint, fixed) with <see cref="Length"/> −1, or where its bytes are.</summary>
    private readonly record struct Field(int Number, long Value, int Offset, int Length);

    private static List<Field> Fields(byte[] bytes, int offset, int length, string what)
    {
        var fields = new List<Field>();
        int at = offset, end = offset + length;
        while (at < end)
        {
            int start = at;
            ulong key = Varint(bytes, ref at, end);
            int number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0: fields.Add(new Field(number, (long)Varint(bytes, ref at, end), 0, -1)); break;
                case 1:
                    if (end - at < 8) throw new FormatException($"{what}: field {number} at byte {start} runs past its end");
                    fields.Add(new Field(number, BitConverter.ToInt64(bytes, at), 0, -1));
                    at += 8;
                    break;
                case 2:
                    ulong size = Varint(bytes, ref at, end);
                    if (size > (ulong)(end - at)) throw new FormatException($"{what}: field {number} at byte {start} holds {size} bytes, past its end; the file is truncated or damaged");
                    fields.Add(new Field(number, 0, at, (int)size));
                    at += (int)size;
                    break;
                case 5:
                    if (end - at < 4) throw new FormatException($"{what}: field {number} at byte {start} runs past its end");
                    fields.Add(new Field(number, BitConverter.ToInt32(bytes, at), 0, -1));
                    at += 4;
                    break;
                default: throw new FormatException($"{what}: byte {start} has wire type {key & 7}, which ONNX files do not use; is it an ONNX model?");
            }
        }
        return fields;
    }

    private static ulong Varint(byte[] bytes, ref int at, int end)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= end) throw new FormatException($"a number at byte {at} runs past the end; the file is truncated or damaged");
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new FormatException($"a number ending at byte {at} is longer than 10 bytes");
    }
}
