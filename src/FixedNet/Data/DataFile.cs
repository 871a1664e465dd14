using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace FixedNet.Data;

internal static class DataFile
{
    /// <summary>
    /// All bytes of a file, gunzipped when it starts with the gzip magic number. Reading stops with an
    /// <see cref="InvalidDataException"/> naming the file as soon as the data passes <paramref name="maxBytes"/>, or the
    /// bound <paramref name="boundFromPrefix"/> gives once it has seen enough of the data (a format's header), so a
    /// decompression bomb costs neither the time nor the memory of inflating it. A gzip file must end with its trailer,
    /// and the trailer's CRC-32 and length must match the data: a truncated or corrupt file is always an error, never
    /// data cut short. Only single-member gzip files are read (what <c>gzip</c> writes); concatenated members fail the check.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The most bytes of data accepted.</param>
    /// <param name="boundFromPrefix">Given the data read so far, the exact number of bytes the data must have, or null while it cannot tell yet.</param>
    public static byte[] ReadAllBytes(string path, long maxBytes, Func<ReadOnlySpan<byte>, long?>? boundFromPrefix = null)
    {
        string name = Path.GetFileName(path);
        var raw = File.ReadAllBytes(path);
        bool gzip = raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
        if (!gzip)
        {
            if (raw.Length > maxBytes) throw TooLarge(name, maxBytes);
            return raw;
        }
        using var output = new MemoryStream();
        try
        {
            using var stream = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            var buffer = new byte[81920];
            long limit = maxBytes;
            bool bounded = boundFromPrefix is null;
            for (int read; (read = stream.Read(buffer, 0, buffer.Length)) > 0;)
            {
                output.Write(buffer, 0, read);
                if (!bounded && boundFromPrefix!(output.GetBuffer().AsSpan(0, (int)output.Length)) is long bound)
                {
                    bounded = true;
                    limit = Math.Min(limit, bound);
                }
                if (output.Length > limit)
                {
                    if (bounded && limit < maxBytes) return output.ToArray(); // past the format's own bound: the format reader reports the extra bytes
                    throw TooLarge(name, maxBytes);
                }
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(name + ":", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: the gzip stream is corrupt or truncated ({e.Message}).", e);
        }
        // RFC 1952: the member ends with CRC-32 and the length mod 2³² of the data, little-endian.
        var data = output.ToArray();
        if (raw.Length < 18
            || BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 8)) != Crc32(data)
            || BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4)) != (uint)data.Length)
            throw new InvalidDataException($"{name}: the gzip stream is truncated or corrupt: its trailer (CRC-32 and length at offset {Math.Max(0, raw.Length - 8)}) does not match the {data.Length} bytes it inflates to.");
        return data;
    }

    private static InvalidDataException TooLarge(string name, long maxBytes) =>
        new($"{name}: the data is larger than {maxBytes} bytes, the most this reader accepts (a larger limit can be passed as maxBytes).");

    private static readonly uint[] CrcTable = CreateCrcTable();

    private static uint[] CreateCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 of gzip and zlib (polynomial 0xEDB88320, reflected).</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }
}
