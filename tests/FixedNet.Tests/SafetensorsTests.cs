using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using FixedNet.Serialization;
using Xunit;

namespace FixedNet.Tests;

public class SafetensorsTests
{
    private static byte[] Save(INetwork net)
    {
        using var stream = new MemoryStream();
        Safetensors.Save(net, stream);
        return stream.ToArray();
    }

    [Fact]
    public void SaveThenLoad_RestoresEveryParameter()
    {
        var net = Networks.CreateInitialized("WideSoftmaxNet", 4);
        var bytes = Save(net);
        var copy = new WideSoftmaxNet();
        Safetensors.Load(copy, new MemoryStream(bytes));
        Assert.Equal(net.Parameters.ToArray(), copy.Parameters.ToArray());

        string path = Path.Combine(Path.GetTempPath(), $"fixednet-{Guid.NewGuid():N}.safetensors");
        try
        {
            Safetensors.Save(net, path);
            var fromFile = new WideSoftmaxNet();
            Safetensors.Load(fromFile, path);
            Assert.Equal(net.Parameters.ToArray(), fromFile.Parameters.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void File_FollowsTheSafetensorsLayout()
    {
        var net = Networks.CreateInitialized("TutorialNet", 4);
        var bytes = Save(net);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + headerLength) % 8);
        Assert.Equal(bytes.Length, (int)(8 + headerLength) + 4 * TutorialNet.ParameterCount);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var weight = header.RootElement.GetProperty("layers.1.weight");
        Assert.Equal("F32", weight.GetProperty("dtype").GetString());
        Assert.Equal([2, 2], weight.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([24, 40], weight.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([2], header.RootElement.GetProperty("layers.0.bias").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("pt", header.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        // layers.1.weight[1, 0] (unit 1, input 0) in little-endian F32
        int data = 8 + (int)headerLength;
        Assert.Equal(net.Parameters[6 + 2], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(data + 24 + 8)));
    }

    private static void AssertRejected(INetwork target, byte[] bytes, string expectedInMessage)
    {
        var before = target.Parameters.ToArray();
        var error = Assert.Throws<InvalidDataException>(() => Safetensors.Load(target, new MemoryStream(bytes), "model.safetensors"));
        Assert.Contains(expectedInMessage, error.Message);
        Assert.StartsWith("model.safetensors: ", error.Message);
        Assert.Equal(before, target.Parameters.ToArray());
    }

    private static byte[] WithHeader(string json, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    [Fact]
    public void Load_NamesTheMismatchingTensor_AndLeavesTheNetworkUnchanged()
    {
        var target = Networks.CreateInitialized("TutorialNet", 1);
        // Another architecture: 2 → 3 → 2, so layers.0.weight is [3, 2].
        var other = new ReferenceNetwork(2, [(3, Activation.Sigmoid), (2, Activation.Softmax)], Loss.CrossEntropy);
        other.InitializeParameters(2);
        AssertRejected(target, Save(other), "tensor 'layers.0.weight' has shape [3, 2]; expected [2, 2]");

        var valid = Save(Networks.CreateInitialized("TutorialNet", 2));
        AssertRejected(target, valid[..^4], "tensor 'layers.1.bias' has data offsets"); // truncated: the last tensor loses a float
        AssertRejected(target, valid[..5], "8-byte header length");
        var data = new byte[48];
        AssertRejected(target, WithHeader("""{"layers.0.weight":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}}""", data), "tensor 'layers.0.weight' has dtype F16");
        AssertRejected(target, WithHeader("""{"layers.0.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", data), "tensor 'layers.0.bias' is missing");
        AssertRejected(target, WithHeader("""{"extra":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", data), "tensor 'extra' is not a parameter");
        AssertRejected(target, WithHeader("""{"layers.0.weight": 3""", data), "not valid JSON");
    }

    private static string Entry(string tensor, int[] shape, long begin, long end) =>
        $"\"{tensor}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{begin},{end}]}}";

    private static string Header(long w0, long b0, long w1, long b1) => "{" + string.Join(",",
        Entry("layers.0.weight", [2, 2], w0, w0 + 16), Entry("layers.0.bias", [2], b0, b0 + 8),
        Entry("layers.1.weight", [2, 2], w1, w1 + 16), Entry("layers.1.bias", [2], b1, b1 + 8)) + "}";

    [Fact]
    public void Load_ChecksThatTheTensorsTileTheDataExactly()
    {
        var target = Networks.CreateInitialized("TutorialNet", 1);
        var data = new byte[48];
        var loaded = Networks.CreateInitialized("TutorialNet", 3);
        Safetensors.Load(loaded, new MemoryStream(WithHeader(Header(0, 16, 24, 40), data)), "model.safetensors"); // the order in the data is free
        Assert.All(loaded.Parameters.ToArray(), p => Assert.Equal(0f, p));
        Safetensors.Load(loaded, new MemoryStream(WithHeader(Header(32, 24, 0, 16), data)), "model.safetensors");

        AssertRejected(target, WithHeader(Header(-8, 16, 24, 40), data), "data offsets [-8, 8)");
        AssertRejected(target, WithHeader(Header(long.MinValue, 16, 24, 40), data), "data offsets [-9223372036854775808");
        AssertRejected(target, WithHeader(Header(-4294967296, 16, 24, 40), data), "data offsets [-4294967296");
        AssertRejected(target, WithHeader(Header(0, 8, 24, 40), data), "overlaps the tensor before it");
        AssertRejected(target, WithHeader(Header(0, 20, 28, 44), new byte[52]), "data bytes [16, 20) belong to no tensor");
        AssertRejected(target, WithHeader(Header(0, 16, 24, 40), new byte[52]), "4 data bytes from offset 48 belong to no tensor");
        AssertRejected(target, WithHeader("{" + Entry("layers.0.weight", [2, 2], 0, 16) + "," + Header(0, 16, 24, 40)[1..], data), "tensor 'layers.0.weight' appears twice");
        AssertRejected(target, WithHeader("{\"\\ud800\":" + Header(0, 16, 24, 40)[1..].Split(':', 2)[1], data), "not valid text");
    }

    [Fact]
    public void Load_ReadsAFileWrittenByAnotherImplementation()
    {
        // tests/FixedNet.Tests/Fixtures/torch_linear_2_3_2.safetensors: written by make_fixtures.py from a
        // torch.nn.Linear stack's state_dict with the safetensors layout (see the script for how it was made).
        var net = new ReferenceNetwork(2, [(3, Activation.Tanh), (2, Activation.Identity)], Loss.MeanSquaredError);
        Safetensors.Load(net, Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch_linear_2_3_2.safetensors"));
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch_linear_2_3_2.json"));
        using var json = JsonDocument.Parse(expected);
        var parameters = json.RootElement.GetProperty("parameters").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(parameters, net.Parameters.ToArray());
        var output = new float[2];
        net.Forward([0.5f, -1f], output);
        var torchOutput = json.RootElement.GetProperty("output_for_0.5_-1").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Networks.AssertClose(torchOutput, output, 1e-6, "PyTorch's output");
    }

    // Seeded and bounded: every prefix of a saved file and a few thousand byte changes either load or fail with an
    // InvalidDataException naming the file, and a failed load leaves the network bit-identical.
    [Fact]
    public void Fuzz_MalformedFiles_AreInvalidDataExceptions_AndLeaveTheNetworkUnchanged()
    {
        var file = Save(Networks.CreateInitialized("WideSoftmaxNet", 5));
        var target = Networks.CreateInitialized("WideSoftmaxNet", 6);
        var random = new Random(20261202);
        int rejected = 0;
        int prefixes = Math.Min(file.Length, 2000);
        for (int trial = 0; trial < prefixes + 3000; trial++)
        {
            byte[] bytes;
            if (trial < prefixes) bytes = file[..(trial < 1000 ? trial : file.Length - (trial - 999))];
            else
            {
                bytes = (byte[])file.Clone();
                int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
                // mostly in the header, where the structure is; sometimes anywhere
                for (int k = random.Next(1, 4); k > 0; k--) bytes[random.Next(random.Next(4) == 0 ? bytes.Length : headerEnd)] = (byte)random.Next(256);
            }
            var before = target.Parameters.ToArray();
            try
            {
                Safetensors.Load(target, new MemoryStream(bytes), "fuzz.safetensors");
                before.CopyTo(target.Parameters);
            }
            catch (InvalidDataException e)
            {
                Assert.StartsWith("fuzz.safetensors: ", e.Message);
                Assert.Equal(before, target.Parameters.ToArray());
                rejected++;
            }
        }
        Assert.True(rejected >= prefixes - 1, $"{rejected} rejected");
    }
}
