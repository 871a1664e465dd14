using System;
using System.Collections.Generic;
using System.IO;
using Google.Protobuf;

namespace FixedNet.Interop;

/// <summary>Builds one protobuf message field by field (nested messages are built first and written as bytes).</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _output;

    public ProtoWriter() => _output = new CodedOutputStream(_buffer, leaveOpen: true);

    public ProtoWriter String(int field, string value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteString(value);
        return this;
    }

    public ProtoWriter Int64(int field, long value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt64(value);
        return this;
    }

    public ProtoWriter Int32(int field, int value)
    {
        _output.WriteTag(field, WireFormat.WireType.Varint);
        _output.WriteInt32(value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        _output.WriteTag(field, WireFormat.WireType.Fixed32);
        _output.WriteFloat(value);
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        _output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

    public byte[] ToArray()
    {
        _output.Flush();
        return _buffer.ToArray();
    }
}

/// <summary>One decoded protobuf field: its number and either an integer (varint / fixed) or bytes.</summary>
internal readonly record struct ProtoField(int Number, WireFormat.WireType WireType, long Integer, uint Fixed32, ByteString? Bytes)
{
    /// <summary>The field as a string: empty where the field is absent (the default value), an <see cref="InvalidCastException"/> where it holds a number.</summary>
    public string Text => Number == 0 ? string.Empty : Bytes?.ToStringUtf8() ?? throw new InvalidCastException($"field {Number} is a {WireType} value where a string belongs");

    public float Float => BitConverter.UInt32BitsToSingle(Fixed32);
}

/// <summary>Reads the fields of one protobuf message; unknown wire types are skipped.</summary>
internal static class ProtoReader
{
    public static List<ProtoField> Fields(ByteString message) => Fields(message.ToByteArray());

    public static List<ProtoField> Fields(byte[] message)
    {
        var fields = new List<ProtoField>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int number = WireFormat.GetTagFieldNumber(tag);
            var type = WireFormat.GetTagWireType(tag);
            switch (type)
            {
                case WireFormat.WireType.Varint:
                    fields.Add(new ProtoField(number, type, input.ReadInt64(), 0, null));
                    break;
                case WireFormat.WireType.Fixed32:
                    fields.Add(new ProtoField(number, type, 0, input.ReadFixed32(), null));
                    break;
                case WireFormat.WireType.Fixed64:
                    fields.Add(new ProtoField(number, type, (long)input.ReadFixed64(), 0, null));
                    break;
                case WireFormat.WireType.LengthDelimited:
                    fields.Add(new ProtoField(number, type, 0, 0, input.ReadBytes()));
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }
        return fields;
    }

    /// <summary>Values of a repeated varint field, packed or not.</summary>
    public static List<long> Varints(List<ProtoField> fields, int number)
    {
        var values = new List<long>();
        foreach (var field in fields)
        {
            if (field.Number != number) continue;
            if (field.WireType == WireFormat.WireType.Varint)
            {
                values.Add(field.Integer);
                continue;
            }
            var packed = new CodedInputStream(field.Bytes!.ToByteArray());
            while (!packed.IsAtEnd) values.Add(packed.ReadInt64());
        }
        return values;
    }

    /// <summary>Values of a repeated float field, packed or not.</summary>
    public static List<float> Floats(List<ProtoField> fields, int number)
    {
        var values = new List<float>();
        foreach (var field in fields)
        {
            if (field.Number != number) continue;
            if (field.WireType == WireFormat.WireType.Fixed32)
            {
                values.Add(field.Float);
                continue;
            }
            var bytes = field.Bytes!.Span;
            for (int k = 0; k + 4 <= bytes.Length; k += 4) values.Add(BitConverter.ToSingle(bytes.Slice(k, 4)));
        }
        return values;
    }
}
