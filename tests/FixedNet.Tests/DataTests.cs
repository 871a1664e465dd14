using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using FixedNet.Data;
using Xunit;

namespace FixedNet.Tests;

public sealed class DataTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fixednet-data-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = Path.Combine(_directory, name);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using var file = File.Create(path);
        using var stream = new GZipStream(file, CompressionLevel.Fastest);
        stream.Write(bytes);
        return path;
    }

    private static byte[] Idx(int[] dimensions, byte[] values)
    {
        var bytes = new byte[4 + 4 * dimensions.Length + values.Length];
        bytes[2] = 0x08;
        bytes[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++)
        {
            bytes[4 + 4 * d] = (byte)(dimensions[d] >> 24);
            bytes[5 + 4 * d] = (byte)(dimensions[d] >> 16);
            bytes[6 + 4 * d] = (byte)(dimensions[d] >> 8);
            bytes[7 + 4 * d] = (byte)dimensions[d];
        }
        values.CopyTo(bytes, 4 + 4 * dimensions.Length);
        return bytes;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Idx_ReadsImagesAndLabels(bool gzip)
    {
        var pixels = Enumerable.Range(0, 3 * 2 * 2).Select(i => (byte)(i * 20)).ToArray();
        string images = Write("images.idx3" + (gzip ? ".gz" : ""), Idx([3, 2, 2], pixels), gzip);
        string labels = Write("labels.idx1" + (gzip ? ".gz" : ""), Idx([3], [2, 0, 1]), gzip);
        var data = IdxReader.ReadDataset(images, labels, classes: 3);
        Assert.Equal(3, data.Count);
        Assert.Equal(4, data.InputSize);
        Assert.Equal([80 / 255f, 100 / 255f, 120 / 255f, 140 / 255f], data.Input(1).ToArray()); // pixels 4..7 = 4·20 … 7·20
        Assert.Equal([0f, 0f, 1f], data.Target(0).ToArray());
        Assert.Equal([1f, 0f, 0f], data.Target(1).ToArray());
    }

    [Fact]
    public void Idx_RejectsMalformedFilesWithFileOffsetAndExpectation()
    {
        var valid = Idx([4, 2, 2], new byte[16]);
        var truncated = Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write("short.idx", valid[..^3])));
        Assert.Contains("short.idx", truncated.Message);
        Assert.Contains("at offset 29", truncated.Message);
        Assert.Contains("truncated", truncated.Message);
        Assert.Contains("4 × 2 × 2", truncated.Message);

        var gzTruncated = File.ReadAllBytes(Write("full.idx.gz", valid, gzip: true));
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write("cut.idx.gz", gzTruncated[..^12])));
        Assert.Contains("cut.idx.gz", error.Message);

        var badType = (byte[])valid.Clone();
        badType[2] = 0x0D;
        Assert.Contains("type code 0x08", Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write("float.idx", badType))).Message);
        var badMagic = (byte[])valid.Clone();
        badMagic[0] = 0x1a;
        Assert.Contains("at offset 0", Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write("magic.idx", badMagic))).Message);
        Assert.Contains("more bytes follow", Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write("long.idx", [.. valid, 7]))).Message);
        Assert.Contains("3 dimensions, found 1", Assert.Throws<InvalidDataException>(() => IdxReader.ReadImages(Write("labels.idx", Idx([2], [1, 2])), out _, out _, out _)).Message);
        var mismatch = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(Write("i.idx", valid), Write("l.idx", Idx([3], [0, 1, 2])), 3));
        Assert.Contains("3 labels", mismatch.Message);
        var label = Assert.Throws<InvalidDataException>(() => IdxReader.ReadDataset(Write("i2.idx", valid), Write("l2.idx", Idx([4], [0, 1, 2, 9])), 3));
        Assert.Equal("l2.idx: label 3 is 9, outside 0..2 for 3 classes.", label.Message);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => IdxReader.ReadDataset(Write("i3.idx", valid), Write("l3.idx", Idx([4], [0, 0, 0, 0])), 0)).ParamName);
    }

    [Fact]
    public void TruncatedGzip_IsAlwaysAnError_AtEveryCutPoint()
    {
        var rows = string.Concat(Enumerable.Range(0, 40).Select(i => $"{i},{i % 7},{i % 3}\n"));
        var gz = File.ReadAllBytes(Write("rows.csv.gz", System.Text.Encoding.UTF8.GetBytes(rows), gzip: true));
        Assert.Equal(40, CsvReader.ReadRows(Write("whole.csv.gz", gz)).Length);
        for (int cut = 2; cut < gz.Length; cut++) // from just the magic number to all but the last byte of the trailer
        {
            var error = Assert.Throws<InvalidDataException>(() => CsvReader.ReadRows(Write("cut.csv.gz", gz[..cut])));
            Assert.StartsWith("cut.csv.gz: ", error.Message);
        }
        var flipped = (byte[])gz.Clone();
        flipped[^6] ^= 1; // a bit of the CRC
        Assert.StartsWith("crc.csv.gz: the gzip stream is", Assert.Throws<InvalidDataException>(() => CsvReader.ReadRows(Write("crc.csv.gz", flipped))).Message);
    }

    [Fact]
    public void DecompressionBombs_AreRejectedAtTheirBound()
    {
        // 64 MiB of zeros behind an IDX header that announces 16 bytes: inflating stops right after the 16.
        var header = Idx([4, 2, 2], new byte[16]);
        string idx = Path.Combine(_directory, "bomb.idx.gz");
        using (var file = File.Create(idx))
        using (var gzip = new GZipStream(file, CompressionLevel.SmallestSize))
        {
            gzip.Write(header);
            var zeros = new byte[1 << 20];
            for (int k = 0; k < 64; k++) gzip.Write(zeros);
        }
        Assert.True(new FileInfo(idx).Length < 200_000);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<InvalidDataException>(() => IdxReader.Read(idx));
        Assert.Contains("bomb.idx.gz", error.Message);
        Assert.Contains("more bytes follow", error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{watch.Elapsed}"); // a bound on the work, not a speed measurement: the whole inflate takes far longer

        // CSV has no header to bound it: the documented limit, or the caller's.
        string csv = Write("big.csv.gz", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("1,2\n", 100_000))), gzip: true);
        var tooLarge = Assert.Throws<InvalidDataException>(() => CsvReader.ReadRows(csv, maxBytes: 1000));
        Assert.StartsWith("big.csv.gz: the data is larger than 1000 bytes", tooLarge.Message);
        Assert.Equal(100_000, CsvReader.ReadRows(csv).Length);
    }

    [Fact]
    public void Idx_DimensionsThatOverflowOrAreZero_AreErrors()
    {
        var huge = Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write("huge.idx", Idx([1 << 30, 1 << 30, 16], new byte[16]))));
        Assert.Contains("huge.idx", huge.Message);
        Assert.Contains("product fits in an array", huge.Message);
        var zero = Assert.Throws<InvalidDataException>(() => IdxReader.Read(Write("zero.idx", Idx([3, 0, 2], []))));
        Assert.Contains("at offset 8", zero.Message);
        Assert.Contains("at least 1, found 0", zero.Message);
    }

    // Seeded and bounded: prefixes and byte changes of a valid IDX pair and CSV file, plain and gzipped, either read or
    // fail with an InvalidDataException naming the file; nothing else escapes.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fuzz_MalformedIdxAndCsv_AreInvalidDataExceptions(bool gzip)
    {
        var random = new Random(gzip ? 2 : 1);
        var idx = Idx([6, 3, 2], Enumerable.Range(0, 36).Select(i => (byte)(i * 7)).ToArray());
        var csv = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 12).Select(i => $"{i * 0.5},{-i},{i % 3}\n")));
        foreach (var (name, valid, read) in new (string, byte[], Action<string>)[]
        {
            ("f.idx", idx, path => IdxReader.Read(path)),
            ("f.csv", csv, path => CsvReader.ReadClassification(path, classes: 3)),
        })
        {
            var stored = gzip ? File.ReadAllBytes(Write(name + ".src.gz", valid, gzip: true)) : valid;
            for (int trial = 0; trial < stored.Length + 1500; trial++)
            {
                byte[] bytes;
                if (trial < stored.Length) bytes = stored[..trial];
                else
                {
                    bytes = (byte[])stored.Clone();
                    for (int k = random.Next(1, 4); k > 0; k--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }
                string path = Write(name + (gzip ? ".gz" : ""), bytes);
                try
                {
                    read(path);
                }
                catch (InvalidDataException e)
                {
                    Assert.StartsWith(Path.GetFileName(path) + ": ", e.Message);
                }
            }
        }
    }

    [Fact]
    public void Csv_ReadsTheDigits()
    {
        var digits = CsvReader.ReadClassification(SampleData.Digits, classes: 10, scale: 1f / 16);
        Assert.Equal(1797, digits.Count);
        Assert.Equal(64, digits.InputSize);
        var labels = OneHot.Decode(digits.Targets, 10);
        Assert.Equal(Enumerable.Range(0, 10), labels.Distinct().Order());
        Assert.InRange(labels.Count(l => l == 0), 170, 190);
        Assert.All(digits.Inputs.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(0, labels[0]); // the first row of the file is a 0
        Assert.Equal(5 / 16f, digits.Input(0)[2]);
    }

    [Fact]
    public void Csv_RejectsMalformedRowsWithLineAndColumn()
    {
        string Text(string name, string text) => Write(name, System.Text.Encoding.UTF8.GetBytes(text));
        var notNumber = Assert.Throws<InvalidDataException>(() => CsvReader.ReadRows(Text("a.csv", "1,2,3\n4,x,6\n")));
        Assert.Equal("a.csv: line 2, column 2: expected a number, found 'x'.", notNumber.Message);
        var ragged = Assert.Throws<InvalidDataException>(() => CsvReader.ReadRows(Text("b.csv", "1,2,3\n4,5\n")));
        Assert.Contains("line 2 has 2 fields; expected 3", ragged.Message);
        Assert.Contains("found none", Assert.Throws<InvalidDataException>(() => CsvReader.ReadRows(Text("c.csv", ""))).Message);
        var label = Assert.Throws<InvalidDataException>(() => CsvReader.ReadClassification(Text("d.csv", "1,2,0\n1,2,7\n"), classes: 3));
        Assert.Contains("row 2, column 3: expected a class label in 0..2, found 7", label.Message);
        var header = CsvReader.ReadRows(Text("e.csv", "a,b\n1,2\n"), hasHeader: true);
        Assert.Equal([1f, 2f], Assert.Single(header));
        foreach (var bad in new[] { "NaN", "Infinity", "-Infinity", "1e39" })
        {
            var nonFinite = Assert.Throws<InvalidDataException>(() => CsvReader.ReadRows(Text("f.csv", "1,2\n3," + bad + "\n")));
            Assert.Equal($"f.csv: line 2, column 2: expected a finite number, found '{bad}'.", nonFinite.Message);
        }
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => CsvReader.ReadClassification(Text("g.csv", "1,0\n"), classes: 0)).ParamName);
    }

    [Fact]
    public void Dataset_SplitsAndValidates()
    {
        var data = new Dataset(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), Enumerable.Range(0, 10).Select(i => (float)i).ToArray(), 2, 1);
        var (first, second) = data.Split(0.7, seed: 3);
        Assert.Equal(7, first.Count);
        Assert.Equal(3, second.Count);
        var all = first.Targets.ToArray().Concat(second.Targets.ToArray()).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), all);
        for (int i = 0; i < first.Count; i++) Assert.Equal(first.Target(i)[0] * 2, first.Input(i)[0]); // rows stay together
        Assert.Throws<ArgumentException>(() => new Dataset(new float[5], new float[2], 2, 1));
        Assert.Throws<ArgumentException>(() => new Dataset(new float[6], new float[2], 2, 1));
        Assert.Equal([1, 0], OneHot.Decode(OneHot.Encode([1, 0], 3), 3));
        var nan = Assert.Throws<ArgumentException>(() => new Dataset([0f, 1f, 2f, float.NaN], [0f, 1f], 2, 1));
        Assert.Equal("inputs", nan.ParamName);
        Assert.StartsWith("Input of sample 1, column 1, is NaN;", nan.Message);
        var infinite = Assert.Throws<ArgumentException>(() => new Dataset([0f, 1f, 2f, 3f], [float.NegativeInfinity, 1f], 2, 1));
        Assert.Equal("targets", infinite.ParamName);
        Assert.StartsWith("Target of sample 0, column 0, is -Infinity;", infinite.Message);
        Assert.Equal(2, new Dataset([3e38f, 3e38f, 3e38f, 3e38f], [0f, 1f], 2, 1).Count); // finite values whose sum overflows are fine
    }

    [SkippableFact]
    public void FashionMnist_TestSetLoads()
    {
        const string directory = "/usr/share/datasets/fashion-mnist";
        Skip.IfNot(File.Exists(Path.Combine(directory, "t10k-images-idx3-ubyte.gz")),
            "Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist); .ci/run installs it.");
        var test = IdxReader.ReadDataset(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"), Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"), 10);
        Assert.Equal(10000, test.Count);
        Assert.Equal(784, test.InputSize);
        var labels = OneHot.Decode(test.Targets, 10);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, labels.Count(l => l == c)));
    }
}

internal static class SampleData
{
    /// <summary>The digits file embedded in the main sample.</summary>
    public static string Digits => Path.Combine(AppContext.BaseDirectory, "digits.csv.gz");
}
