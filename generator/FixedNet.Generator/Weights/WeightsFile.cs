using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using FixedNet.Generator.Model;
using Microsoft.CodeAnalysis;

namespace FixedNet.Generator.Weights;

/// <summary>One tensor of a weights file, its values already converted to float and kept as their bits (so that 0 and −0 differ).</summary>
internal sealed record WeightsTensor(string Name, string DType, EquatableArray<long> Shape, EquatableArray<int> Bits)
{
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// A weights file as the build hands it over: <c>buildTransitive/FixedNet.targets</c> encodes each
/// <c>&lt;FixedNetWeights Include="…" /&gt;</c> (binary, which <c>AdditionalFiles</c> cannot carry: they are read as text)
/// into a text file <c>*.fixednet-weights</c> whose first line is <c>FixedNetWeights 1 {path as listed}</c> and whose rest
/// is the file's bytes in base64. The generator reads no files itself (RS1035): this is all it sees.
/// </summary>
internal sealed record WeightsFile(string Path, EquatableArray<WeightsTensor> Tensors, string? Error)
{
    /// <summary>For an ONNX model, the activation (<see cref="ActivationKind"/>) that follows each dense layer in its graph; empty for safetensors, which has none.</summary>
    public EquatableArray<int> Activations { get; init; } = EquatableArray<int>.Empty;

    public const string Extension = ".fixednet-weights";
    private const string Magic = "FixedNetWeights 1 ";

    public static bool IsEncoded(AdditionalText text) => text.Path.EndsWith(Extension, StringComparison.OrdinalIgnoreCase);

    /// <summary>Normalizes a project-relative path for comparison: forward slashes, no leading <c>./</c>.</summary>
    public static string Normalize(string path)
    {
        var p = path.Trim().Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p.Substring(2);
        return p;
    }

    /// <summary>Decodes and parses one encoded file; never throws (a failure is the <see cref="Error"/>).</summary>
    public static WeightsFile? Read(AdditionalText text, CancellationToken cancellationToken)
    {
        var content = text.GetText(cancellationToken)?.ToString();
        if (content is null || !content.StartsWith(Magic, StringComparison.Ordinal)) return null;
        int end = content.IndexOf('\n');
        if (end < 0) end = content.Length;
        string path = Normalize(content.Substring(Magic.Length, end - Magic.Length).TrimEnd('\r'));
        try
        {
            byte[] bytes = Convert.FromBase64String(content.Substring(end).Trim());
            return path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? OnnxWeights.Parse(path, bytes) : Parse(path, bytes);
        }
        catch (FormatException e)
        {
            return new WeightsFile(path, EquatableArray<WeightsTensor>.Empty, "the encoded copy the build made is damaged (" + e.Message + "); rebuild");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new WeightsFile(path, EquatableArray<WeightsTensor>.Empty, e.GetType().Name + ": " + e.Message);
        }
    }

    /// <summary>
    /// A safetensors file (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, a JSON
    /// header <c>{"name": {"dtype": …, "shape": […], "data_offsets": [begin, end]}, "__metadata__": {…}}</c>, then the
    /// little-endian tensor data. F32 is taken as is; F64, F16 and BF16 are converted (round to nearest even).
    /// </summary>
    public static WeightsFile Parse(string path, byte[] bytes)
    {
        WeightsFile Fail(string error) => new(path, EquatableArray<WeightsTensor>.Empty, error);
        if (bytes.Length < 8) return Fail($"the file has {bytes.Length} bytes, fewer than the 8 of a safetensors header length (offset 0)");
        ulong headerLength = BitConverter.ToUInt64(bytes, 0);
        if (headerLength > (ulong)(bytes.Length - 8))
            return Fail($"the header length {headerLength} (offset 0) runs past the end of the file ({bytes.Length} bytes); is it a safetensors file, and complete?");
        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;
        object? header;
        try
        {
            header = new Json(Encoding.UTF8.GetString(bytes, 8, (int)headerLength)).ParseDocument();
        }
        catch (FormatException e)
        {
            return Fail("the header (offset 8) is not valid JSON: " + e.Message);
        }
        if (header is not Dictionary<string, object?> entries) return Fail("the header (offset 8) is not a JSON object");

        var tensors = new List<WeightsTensor>();
        foreach (var pair in entries)
        {
            if (pair.Key == "__metadata__") continue;
            if (pair.Value is not Dictionary<string, object?> entry) return Fail($"tensor '{pair.Key}': its header entry is not an object");
            if (!entry.TryGetValue("dtype", out var dtypeValue) || dtypeValue is not string dtype) return Fail($"tensor '{pair.Key}': no dtype");
            if (!entry.TryGetValue("shape", out var shapeValue) || !TryLongs(shapeValue, out var shape)) return Fail($"tensor '{pair.Key}': no shape (a list of sizes)");
            if (!entry.TryGetValue("data_offsets", out var offsetsValue) || !TryLongs(offsetsValue, out var offsets) || offsets.Length != 2)
                return Fail($"tensor '{pair.Key}': no data_offsets [begin, end]");
            long count = 1;
            foreach (var size in shape)
            {
                if (size < 0 || size > int.MaxValue) return Fail($"tensor '{pair.Key}': shape [{string.Join(", ", shape)}] has a negative or huge size");
                count = checked(count * size);
            }
            long begin = offsets[0], end = offsets[1];
            if (begin < 0 || end < begin || end > dataLength)
                return Fail($"tensor '{pair.Key}': data_offsets [{begin}, {end}) lie outside the {dataLength} data bytes (file offset {dataStart}); the file is truncated or damaged");
            var tensor = Tensor(pair.Key, dtype, shape, count, bytes, (int)(dataStart + begin), (int)(end - begin), out string? error);
            if (error is not null) return Fail(error);
            tensors.Add(tensor);
        }
        tensors.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new WeightsFile(path, tensors.ToEquatableArray(), null);
    }

    /// <summary>
    /// One tensor from <paramref name="length"/> bytes at <paramref name="at"/>, its values converted to float bits: F32 as
    /// is, F64 rounded to nearest, F16 and BF16 exactly. An unsupported type is kept without values, so that the match can
    /// name it as the tensor's problem; a byte count that does not fit the shape is the <paramref name="error"/>.
    /// </summary>
    internal static WeightsTensor Tensor(string name, string dtype, long[] shape, long count, byte[] bytes, int at, int length, out string? error, string? place = null)
    {
        error = null;
        var empty = new WeightsTensor(name, dtype, new EquatableArray<long>(shape), EquatableArray<int>.Empty);
        int width = dtype switch { "F32" => 4, "F64" => 8, "F16" => 2, "BF16" => 2, _ => 0 };
        if (width == 0) return empty;
        if (length != width * count)
        {
            error = $"tensor '{name}': {length} data bytes {place ?? "at file offset " + at} for {count} values of {dtype} ({width * count} bytes)";
            return empty;
        }
        var bits = new int[count];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = dtype switch
            {
                "F32" => BitConverter.ToInt32(bytes, at + 4 * i),
                "F64" => SingleBits((float)BitConverter.Int64BitsToDouble(BitConverter.ToInt64(bytes, at + 8 * i))),
                "F16" => HalfToSingleBits(BitConverter.ToUInt16(bytes, at + 2 * i)),
                _ => BitConverter.ToUInt16(bytes, at + 2 * i) << 16, // BF16: the upper half of a float
            };
        }
        return empty with { Bits = new EquatableArray<int>(bits) };
    }

    private static int SingleBits(float value) => new FloatBits { Single = value }.Int32;

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)]
    private struct FloatBits
    {
        [System.Runtime.InteropServices.FieldOffset(0)] public float Single;
        [System.Runtime.InteropServices.FieldOffset(0)] public int Int32;
    }

    // IEEE 754 binary16 to binary32, exactly (every half is a float): sign, then normal, subnormal, zero, ∞ and NaN.
    private static int HalfToSingleBits(ushort h)
    {
        int sign = (h & 0x8000) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
        if (exponent == 0x1F) return sign | 0x7F800000 | (mantissa << 13);
        if (exponent != 0) return sign | ((exponent + 112) << 23) | (mantissa << 13);
        if (mantissa == 0) return sign;
        int e = 113; // subnormal: normalize
        while ((mantissa & 0x400) == 0) { mantissa <<= 1; e--; }
        return sign | (e << 23) | ((mantissa & 0x3FF) << 13);
    }

    private static bool TryLongs(object? value, out long[] result)
    {
        result = Array.Empty<long>();
        if (value is not List<object?> list) return false;
        result = new long[list.Count];
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not double d || d != Math.Floor(d) || Math.Abs(d) > 9e15) return false;
            result[i] = (long)d;
        }
        return true;
    }

    /// <summary>A small JSON reader for safetensors headers: objects, arrays, strings, numbers (as double), true, false, null.</summary>
    private sealed class Json(string text)
    {
        private int _at;

        public object? ParseDocument()
        {
            var value = Value();
            Space();
            if (_at < text.Length && text[_at] != ' ') throw Error("text after the end of the header");
            return value;
        }

        private FormatException Error(string what) => new(what + " at header character " + _at);

        private void Space()
        {
            while (_at < text.Length && text[_at] is ' ' or '\t' or '\r' or '\n') _at++;
        }

        private object? Value()
        {
            Space();
            if (_at >= text.Length) throw Error("unexpected end");
            char c = text[_at];
            if (c == '{')
            {
                _at++;
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                Space();
                if (_at < text.Length && text[_at] == '}') { _at++; return result; }
                while (true)
                {
                    Space();
                    string key = String();
                    Space();
                    Expect(':');
                    if (result.ContainsKey(key)) throw Error("the name '" + key + "' appears twice");
                    result[key] = Value();
                    Space();
                    if (Next() == '}') return result;
                    _at--;
                    Expect(',');
                }
            }
            if (c == '[')
            {
                _at++;
                var result = new List<object?>();
                Space();
                if (_at < text.Length && text[_at] == ']') { _at++; return result; }
                while (true)
                {
                    result.Add(Value());
                    Space();
                    if (Next() == ']') return result;
                    _at--;
                    Expect(',');
                }
            }
            if (c == '"') return String();
            if (Word("true")) return true;
            if (Word("false")) return false;
            if (Word("null")) return null;
            int start = _at;
            while (_at < text.Length && (char.IsDigit(text[_at]) || text[_at] is '-' or '+' or '.' or 'e' or 'E')) _at++;
            if (start == _at || !double.TryParse(text.Substring(start, _at - start), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double number))
                throw Error("unexpected '" + c + "'");
            return number;
        }

        private bool Word(string word)
        {
            if (string.CompareOrdinal(text, _at, word, 0, word.Length) != 0) return false;
            _at += word.Length;
            return true;
        }

        private char Next() => _at < text.Length ? text[_at++] : throw Error("unexpected end");

        private void Expect(char c)
        {
            if (Next() != c) { _at--; throw Error("expected '" + c + "'"); }
        }

        private string String()
        {
            Expect('"');
            var result = new StringBuilder();
            while (true)
            {
                char c = Next();
                if (c == '"') return result.ToString();
                if (c != '\\') { result.Append(c); continue; }
                char e = Next();
                switch (e)
                {
                    case '"': case '\\': case '/': result.Append(e); break;
                    case 'b': result.Append('\b'); break;
                    case 'f': result.Append('\f'); break;
                    case 'n': result.Append('\n'); break;
                    case 'r': result.Append('\r'); break;
                    case 't': result.Append('\t'); break;
                    case 'u':
                        if (_at + 4 > text.Length || !int.TryParse(text.Substring(_at, 4), System.Globalization.NumberStyles.HexNumber, null, out int code))
                            throw Error("bad \\u escape");
                        result.Append((char)code);
                        _at += 4;
                        break;
                    default: throw Error("bad escape '\\" + e + "'");
                }
            }
        }
    }
}
