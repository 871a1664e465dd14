using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using FixedNet.Runtime;

namespace FixedNet.Benchmarks;

/// <summary>
/// One SGD step's pass over the parameters of 784-256-128-10 (235,146 floats), θ ← θ − η·g: TensorPrimitives'
/// multiply-add with a scalar operand (the baseline, what the trainer called before) against <see cref="VectorLoops"/>.
/// </summary>
public class UpdatePass
{
    private readonly float[] _gradient = new float[235_146], _parameters = new float[235_146];

    [Benchmark(Baseline = true)]
    public void TensorPrimitivesMultiplyAdd() => TensorPrimitives.MultiplyAdd(_gradient, -1e-3f, _parameters, _parameters);

    [Benchmark]
    public void VectorLoopsMultiplyAdd() => VectorLoops.MultiplyAdd(_gradient, -1e-3f, _parameters, _parameters);
}
