using System;
using BenchmarkDotNet.Attributes;

namespace FixedNet.Benchmarks;

// The same weights file baked twice: into a trainable network (instance Forward over its parameter buffer) and into
// a frozen one (static Forward over the assembly's data, activations on the stack).
[Network(2, Weights = "Weights/2-2-2.safetensors")] [Dense(2, Activation.Sigmoid)] [Dense(2, Activation.Softmax)]
public partial class Baked2x2x2;
[Network(2, Weights = "Weights/2-2-2.safetensors", Frozen = true)] [Dense(2, Activation.Sigmoid)] [Dense(2, Activation.Softmax)]
public static partial class Frozen2x2x2;

[Network(8, Weights = "Weights/8-16-16-1.safetensors")] [Dense(16, Activation.Tanh)] [Dense(16, Activation.Tanh)] [Dense(1)]
public partial class Baked8x16x16x1;
[Network(8, Weights = "Weights/8-16-16-1.safetensors", Frozen = true)] [Dense(16, Activation.Tanh)] [Dense(16, Activation.Tanh)] [Dense(1)]
public static partial class Frozen8x16x16x1;

[Network(64, Weights = "Weights/64-32-10.safetensors")] [Dense(32, Activation.Sigmoid)] [Dense(10, Activation.Softmax)]
public partial class Baked64x32x10;
[Network(64, Weights = "Weights/64-32-10.safetensors", Frozen = true)] [Dense(32, Activation.Sigmoid)] [Dense(10, Activation.Softmax)]
public static partial class Frozen64x32x10;

/// <summary>Frozen (static) against trainable Forward on the same baked weights, one sample, both called directly; the trainable network is the baseline.</summary>
public class FrozenInference
{
    private const int Samples = 256;
    private float[] _inputs = null!, _output = null!;
    private int _inputSize, _next;
    private Baked2x2x2 _b2 = null!;
    private Baked8x16x16x1 _b8 = null!;
    private Baked64x32x10 _b64 = null!;

    [Params("2-2-2 sigmoid", "8-16-16-1 tanh", "64-32-10 sigmoid")]
    public string Shape { get; set; } = "8-16-16-1 tanh";

    [GlobalSetup]
    public void Setup()
    {
        (_b2, _b8, _b64) = (new Baked2x2x2(), new Baked8x16x16x1(), new Baked64x32x10());
        (_inputSize, int outputs) = Shape[0] switch { '2' => (2, 2), '8' => (8, 1), _ => (64, 10) };
        var random = new Random(2);
        _inputs = new float[Samples * _inputSize];
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = (float)(random.NextDouble() * 2 - 1);
        _output = new float[outputs];
        // both give the same outputs
        var other = new float[outputs];
        for (int s = 0; s < Samples; s++)
        {
            Trainable();
            _output.CopyTo(other, 0);
            _next--;
            Frozen();
            for (int k = 0; k < outputs; k++)
                if (Math.Abs(other[k] - _output[k]) > 1e-5f) throw new InvalidOperationException($"{Shape}: frozen {_output[k]} vs trainable {other[k]}");
        }
    }

    private ReadOnlySpan<float> Next() => _inputs.AsSpan((_next = (_next + 1) & (Samples - 1)) * _inputSize, _inputSize);

    [Benchmark(Baseline = true)]
    public float Trainable()
    {
        switch (Shape[0])
        {
            case '2': _b2.Forward(Next(), _output); break;
            case '8': _b8.Forward(Next(), _output); break;
            default: _b64.Forward(Next(), _output); break;
        }
        return _output[0];
    }

    [Benchmark]
    public float Frozen()
    {
        switch (Shape[0])
        {
            case '2': Frozen2x2x2.Forward(Next(), _output); break;
            case '8': Frozen8x16x16x1.Forward(Next(), _output); break;
            default: Frozen64x32x10.Forward(Next(), _output); break;
        }
        return _output[0];
    }
}
