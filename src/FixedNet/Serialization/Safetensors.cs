using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FixedNet.Serialization;

/// <summary>
/// Saves and loads a network's parameters in the safetensors format (https://github.com/huggingface/safetensors):
/// an 8-byte little-endian header length, a JSON header, then the raw little-endian tensors. Layer l is stored as
/// <c>layers.{l}.weight</c> (F32, shape [outputs, inputs]) and <c>layers.{l}.bias</c> (F32, shape [outputs]), the
/// names and shapes of a torch.nn.Linear state dict.
/// </summary>
public static class Safetensors
{
    private const long MaxHeaderLength = 100_000_000;

    /// <summary>Name of the weight tensor of layer <paramref name="layer"/>.</summary>
    public static string WeightName(int layer) => $"layers.{layer}.weight";

    /// <summary>Name of the bias tensor of layer <paramref name="layer"/>.</summary>
    public static string BiasName(int layer) => $"layers.{layer}.bias";

    /// <summary>Writes the parameters of <paramref name="network"/> to <paramref name="path"/>.</summary>
    public static void Save(INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.Create(path);
        Save(network, stream);
    }

    /// <summary>Writes the parameters of <paramref name="network"/> to <paramref name="stream"/>.</summary>
    public static void Save(INetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        var architecture = network.Architecture;
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            json.WriteString("format", "pt");
            json.WriteString("fixednet.architecture", architecture.ToString());
            json.WriteEndObject();
            for (int l = 0; l < architecture.Layers.Count; l++)
            {
                var layer = architecture.Layers[l];
                WriteTensor(json, WeightName(l), [layer.Size, layer.Inputs], layer.WeightOffset, layer.WeightCount);
                WriteTensor(json, BiasName(l), [layer.Size], layer.BiasOffset, layer.Size);
            }
            json.WriteEndObject();
        }
        // Pad the header with spaces to a multiple of 8 bytes, so the data that follows is aligned.
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        header.Position = 0;
        header.CopyTo(stream);
        WriteFloats(stream, network.Parameters);
    }

    /// <summary>Reads parameters saved for the same architecture into <paramref name="network"/>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed, or a tensor is missing, extra, of another type or shape (the message names it). The network is then unchanged.</exception>
    public static void Load(INetwork network, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        Load(network, stream, Path.GetFileName(path));
    }

    /// <summary>Reads parameters from <paramref name="stream"/> into <paramref name="network"/>; see <see cref="Load(INetwork, string)"/>.</summary>
    public static void Load(INetwork network, Stream stream, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var parameters = new float[network.ParameterCount];
        Parse(network.Architecture, bytes, name, parameters);
        parameters.CopyTo(network.Parameters); // only once everything checked out
    }

    private static void Parse(NetworkArchitecture architecture, ReadOnlySpan<byte> bytes, string name, float[] parameters)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"{name}: expected an 8-byte header length, but the file has {bytes.Length} bytes.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderLength || (long)headerLength > bytes.Length - 8)
            throw new InvalidDataException($"{name}: the header length {headerLength} does not fit in the file ({bytes.Length} bytes).");
        var data = bytes.Slice(8 + (int)headerLength);
        var expected = new Dictionary<string, (int[] Shape, int Offset)>(StringComparer.Ordinal);
        for (int l = 0; l < architecture.Layers.Count; l++)
        {
            var layer = architecture.Layers[l];
            expected[WeightName(l)] = ([layer.Size, layer.Inputs], layer.WeightOffset);
            expected[BiasName(l)] = ([layer.Size], layer.BiasOffset);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.Slice(8, (int)headerLength).ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}: the header is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{name}: the header is not a JSON object.");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var extents = new List<(long Begin, long End, string Tensor)>();
            foreach (var tensor in document.RootElement.EnumerateObject())
            {
                string tensorName = TensorName(tensor, name);
                if (tensorName == "__metadata__") continue;
                if (!expected.TryGetValue(tensorName, out var target))
                    throw new InvalidDataException($"{name}: tensor '{tensorName}' is not a parameter of {architecture} (expected {string.Join(", ", expected.Keys)}).");
                if (!seen.Add(tensorName)) throw new InvalidDataException($"{name}: tensor '{tensorName}' appears twice in the header.");
                var (dtype, shape, begin, end) = ReadEntry(tensor, name);
                if (dtype != "F32") throw new InvalidDataException($"{name}: tensor '{tensor.Name}' has dtype {dtype}; expected F32.");
                if (!shape.AsSpan().SequenceEqual(Array.ConvertAll(target.Shape, s => (long)s)))
                    throw new InvalidDataException($"{name}: tensor '{tensor.Name}' has shape [{string.Join(", ", shape)}]; expected [{string.Join(", ", target.Shape)}].");
                long count = 1;
                foreach (var size in shape) count *= size;
                if (begin < 0 || end < begin || end > data.Length || end - begin != 4 * count)
                    throw new InvalidDataException($"{name}: tensor '{tensor.Name}' has data offsets [{begin}, {end}), which do not hold {count} floats inside the {data.Length} data bytes.");
                extents.Add((begin, end, tensorName));
                var source = data.Slice((int)begin, (int)(end - begin));
                var destination = parameters.AsSpan(target.Offset, (int)count);
                LittleEndianFloats.Read(source, destination);
            }
            foreach (var key in expected.Keys)
            {
                if (!seen.Contains(key)) throw new InvalidDataException($"{name}: tensor '{key}' is missing.");
            }
            // The format's rule: the tensors cover the data bytes exactly, with no overlap, no hole and nothing after them.
            extents.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            long covered = 0;
            foreach (var (begin, end, tensor) in extents)
            {
                if (begin < covered) throw new InvalidDataException($"{name}: tensor '{tensor}' at data offsets [{begin}, {end}) overlaps the tensor before it, which ends at {covered}.");
                if (begin > covered) throw new InvalidDataException($"{name}: data bytes [{covered}, {begin}) belong to no tensor (before '{tensor}').");
                covered = end;
            }
            if (covered != data.Length) throw new InvalidDataException($"{name}: {data.Length - covered} data bytes from offset {covered} belong to no tensor.");
        }
    }

    // A tensor's name; one that is not valid text (a lone surrogate escape) is an error naming the file.
    private static string TensorName(JsonProperty tensor, string name)
    {
        try
        {
            return tensor.Name;
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidDataException($"{name}: a tensor name in the header is not valid text ({e.Message}).", e);
        }
    }

    private static (string Dtype, long[] Shape, long Begin, long End) ReadEntry(JsonProperty tensor, string name)
    {
        try
        {
            var value = tensor.Value;
            string dtype = value.GetProperty("dtype").GetString() ?? string.Empty;
            var shape = new List<long>();
            foreach (var size in value.GetProperty("shape").EnumerateArray()) shape.Add(size.GetInt64());
            var offsets = value.GetProperty("data_offsets");
            if (offsets.GetArrayLength() != 2) throw new InvalidDataException($"{name}: tensor '{tensor.Name}' needs two data offsets.");
            return (dtype, shape.ToArray(), offsets[0].GetInt64(), offsets[1].GetInt64());
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{name}: tensor '{tensor.Name}' needs dtype, shape and data_offsets ({e.Message}).", e);
        }
    }

    private static void WriteTensor(Utf8JsonWriter json, string name, int[] shape, int offset, int count)
    {
        json.WriteStartObject(name);
        json.WriteString("dtype", "F32");
        json.WriteStartArray("shape");
        foreach (var size in shape) json.WriteNumberValue(size);
        json.WriteEndArray();
        json.WriteStartArray("data_offsets");
        json.WriteNumberValue(4L * offset);
        json.WriteNumberValue(4L * (offset + count));
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFloats(Stream stream, ReadOnlySpan<float> values) => stream.Write(LittleEndianFloats.ToBytes(values));
}
