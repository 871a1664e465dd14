using System;
using FixedNet;
using FixedNet.Interop;
using Microsoft.ML.OnnxRuntime;

namespace FixedNet.Benchmarks;

/// <summary>
/// ONNX Runtime as a peer inference engine: the network exported by <see cref="Onnx.Export"/>,
/// one intra-op thread, input and output OrtValues preallocated over pinned arrays, so a run only computes.
/// </summary>
public sealed class OnnxRuntimeEngine : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly OrtValue _inputValue;
    private readonly OrtValue _outputValue;
    private readonly string[] _inputNames = ["input"];
    private readonly string[] _outputNames = ["output"];
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;

    public OnnxRuntimeEngine(INetwork network, int batch)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        _session = new InferenceSession(Onnx.Export(network), options);
        _input = new float[batch * network.InputSize];
        _output = new float[batch * network.OutputSize];
        _inputValue = OrtValue.CreateTensorValueFromMemory(_input, [batch, network.InputSize]);
        _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [batch, network.OutputSize]);
        _inputs = [_inputValue];
        _outputs = [_outputValue];
    }

    /// <summary>Copies the batch's samples in and runs the model into the preallocated output.</summary>
    public float Forward(ReadOnlySpan<float> input)
    {
        input.CopyTo(_input);
        _session.Run(_run, _inputNames, _inputs, _outputNames, _outputs);
        return _output[0];
    }

    public void Dispose()
    {
        _inputValue.Dispose();
        _outputValue.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
