using System;
using System.IO;

namespace FixedNet.Data;

/// <summary>An IDX file's contents: unsigned bytes with their dimensions (MNIST and Fashion-MNIST use this format).</summary>
public sealed record IdxData(int[] Dimensions, byte[] Values)
{
    /// <summary>The first dimension: number of items.</summary>
    public int Count => Dimensions[0];

    /// <summary>Values per item: the product of the other dimensions.</summary>
    public int ItemSize => Values.Length / Math.Max(1, Count);
}

/// <summary>
/// Reads IDX files (plain or .gz), such as MNIST and Fashion-MNIST. Only the unsigned-byte type (0x08) is supported.
/// Malformed or truncated files raise <see cref="InvalidDataException"/> naming the file, the offset and what was
/// expected; nothing is returned partially.
/// </summary>
public static class IdxReader
{
    /// <summary>Reads any unsigned-byte IDX file with <paramref name="expectedDimensions"/> dimensions (0 for any).</summary>
    public static IdxData Read(string path, int expectedDimensions = 0)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path);
        // The header gives the exact size; a .gz is inflated no further than that (and one byte, to see what follows).
        var bytes = DataFile.ReadAllBytes(path, Array.MaxLength, prefix => ExpectedLength(prefix) is long length ? length + 1 : null);
        if (bytes.Length < 4) throw Error(name, 0, $"a 4-byte magic number, but the file has {bytes.Length} bytes");
        if (bytes[0] != 0 || bytes[1] != 0) throw Error(name, 0, $"a magic number starting with two zero bytes, found 0x{bytes[0]:x2}{bytes[1]:x2}");
        if (bytes[2] != 0x08) throw Error(name, 2, $"type code 0x08 (unsigned byte), found 0x{bytes[2]:x2}");
        int rank = bytes[3];
        if (rank == 0) throw Error(name, 3, "at least one dimension, found 0");
        if (expectedDimensions != 0 && rank != expectedDimensions) throw Error(name, 3, $"{expectedDimensions} dimensions, found {rank}");
        int header = 4 + 4 * rank;
        if (bytes.Length < header) throw Error(name, bytes.Length, $"{rank} 4-byte dimension sizes ending at offset {header}, but the file ends");
        var dimensions = new int[rank];
        long total = 1;
        for (int d = 0; d < rank; d++)
        {
            int offset = 4 + 4 * d;
            uint size = (uint)(bytes[offset] << 24 | bytes[offset + 1] << 16 | bytes[offset + 2] << 8 | bytes[offset + 3]);
            if (size > int.MaxValue) throw Error(name, offset, $"a dimension size below 2³¹, found {size}");
            if (size == 0) throw Error(name, offset, "a dimension size of at least 1, found 0");
            dimensions[d] = (int)size;
            total = total * size > Array.MaxLength ? long.MaxValue : total * size; // both factors below 2³¹: no overflow before the test
            if (total > Array.MaxLength) throw Error(name, offset, $"dimensions whose product fits in an array (at most {Array.MaxLength} bytes), found [{string.Join(" × ", dimensions[..(d + 1)])}]");
        }
        long expected = header + total;
        if (bytes.Length < expected)
            throw Error(name, bytes.Length, $"{total} data bytes for dimensions [{string.Join(" × ", dimensions)}] ending at offset {expected}, but the file ends (truncated)");
        if (bytes.Length > expected)
            throw Error(name, expected, $"the end of the data for dimensions [{string.Join(" × ", dimensions)}], but {bytes.Length - expected} more bytes follow");
        return new IdxData(dimensions, bytes.AsSpan(header).ToArray());
    }

    // header + data bytes from the header at the start of `prefix`, once it holds the whole header and is valid; else null.
    private static long? ExpectedLength(ReadOnlySpan<byte> prefix)
    {
        if (prefix.Length < 4 || prefix[0] != 0 || prefix[1] != 0 || prefix[3] == 0) return null;
        int header = 4 + 4 * prefix[3];
        if (prefix.Length < header) return null;
        long total = 1;
        for (int offset = 4; offset < header; offset += 4)
        {
            uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(prefix[offset..]);
            total = Math.Min(total * Math.Min(size, (uint)int.MaxValue), (long)Array.MaxLength + 1);
        }
        return header + total;
    }

    /// <summary>Reads an image file (3 dimensions: count × rows × columns) as floats scaled to [0, 1], one row per image.</summary>
    public static float[] ReadImages(string path, out int count, out int rows, out int columns)
    {
        var data = Read(path, 3);
        (count, rows, columns) = (data.Dimensions[0], data.Dimensions[1], data.Dimensions[2]);
        var pixels = new float[data.Values.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = data.Values[i] / 255f;
        return pixels;
    }

    /// <summary>Reads a label file (1 dimension).</summary>
    public static int[] ReadLabels(string path)
    {
        var data = Read(path, 1);
        var labels = new int[data.Values.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = data.Values[i];
        return labels;
    }

    /// <summary>An image file and its label file as a data set with one-hot targets over <paramref name="classes"/> classes.</summary>
    public static Dataset ReadDataset(string imagesPath, string labelsPath, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var pixels = ReadImages(imagesPath, out int count, out int rows, out int columns);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new InvalidDataException($"{Path.GetFileName(labelsPath)} has {labels.Length} labels but {Path.GetFileName(imagesPath)} has {count} images.");
        for (int k = 0; k < labels.Length; k++)
        {
            if (labels[k] >= classes)
                throw new InvalidDataException($"{Path.GetFileName(labelsPath)}: label {k} is {labels[k]}, outside 0..{classes - 1} for {classes} classes.");
        }
        return new Dataset(pixels, OneHot.Encode(labels, classes), rows * columns, classes);
    }

    private static InvalidDataException Error(string file, long offset, string expected) =>
        new($"{file}: at offset {offset}: expected {expected}.");
}
