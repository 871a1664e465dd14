using System.IO;
using System.IO.Compression;

namespace FixedNet.Data;

internal static class DataFile
{
    /// <summary>All bytes of a file, gunzipped when it starts with the gzip magic number.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        var raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: the gzip stream is corrupt or truncated ({e.Message}).", e);
        }
    }
}
