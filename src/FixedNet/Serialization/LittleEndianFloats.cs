using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FixedNet.Serialization;

/// <summary>fp32 values as little-endian bytes, the byte order of safetensors and of ONNX raw tensor data.</summary>
internal static class LittleEndianFloats
{
    /// <summary>The bytes of <paramref name="values"/>: a view of them on little-endian machines, a converted copy elsewhere.</summary>
    public static ReadOnlySpan<byte> ToBytes(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian) return MemoryMarshal.AsBytes(values);
        var bytes = new byte[4 * values.Length];
        for (int k = 0; k < values.Length; k++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * k), values[k]);
        return bytes;
    }

    /// <summary>Reads <c>destination.Length</c> floats from <paramref name="source"/>, which holds exactly that many.</summary>
    public static void Read(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (source.Length != 4 * destination.Length)
            throw new ArgumentException($"Expected {4 * destination.Length} bytes, got {source.Length}.", nameof(source));
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
            return;
        }
        for (int k = 0; k < destination.Length; k++) destination[k] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(4 * k));
    }
}
