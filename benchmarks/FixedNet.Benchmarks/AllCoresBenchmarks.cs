using System;
using System.Threading;
using BenchmarkDotNet.Attributes;
using FixedNet.Data;
using FixedNet.Training;

namespace FixedNet.Benchmarks;

/// <summary>
/// Three training epochs with one <c>Trainer.Fit</c> call on one core (the baseline) and on two
/// (<see cref="TrainerOptions.DegreeOfParallelism"/>: a team on each batch for these generated networks), so that the call's set-up (clones, buffers, threads) weighs as
/// in a real run: over 4,000 Fashion-MNIST-sized samples (784 inputs, 10 classes; a fifteenth of the real epoch, which
/// changes no ratio) or the digits sample's 1,294 samples of 64 inputs. Read the ratio beside <see cref="AllCoresCeiling"/>'s, measured in
/// the same run: what two threads of independent FMA work gain on this machine.
/// </summary>
public class AllCores
{
    [Params("784-128-10", "784-256-128-10", "64-64-10")]
    public string Shape { get; set; } = "784-128-10";

    // 32: the common case; 128 and 256: larger batches. The 784-input shapes train as a team of two at all three (with
    // plain SGD the team takes the fused step); the digits network stays on one core (benchmarks/README.md).
    [Params(32, 128, 256)]
    public int Batch { get; set; }

    [Params("sgd", "adam")]
    public string Optimizer { get; set; } = "sgd";

    private INetwork _network = null!;
    private Dataset _data = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = Shape switch
        {
            "784-128-10" => new Net784x128x10(),
            "784-256-128-10" => new Net784x256x128x10(),
            _ => new Net64x64x10(),
        };
        int count = _network.InputSize == 784 ? 4_000 : 1_294;
        var random = new Random(1);
        var labels = new int[count];
        var x = new float[count * _network.InputSize];
        for (int s = 0; s < count; s++)
        {
            labels[s] = random.Next(10);
            for (int i = 0; i < _network.InputSize; i++) x[s * _network.InputSize + i] = (float)random.NextDouble() + (i % 10 == labels[s] ? 0.5f : 0f);
        }
        _data = new Dataset(x, OneHot.Encode(labels, 10), _network.InputSize, 10);
    }

    private float Epoch(int cores, bool reproducible = false)
    {
        var options = new TrainerOptions
        {
            Epochs = 3, BatchSize = Batch, LearningRate = Optimizer == "adam" ? 1e-4f : 1e-3f, Seed = 1, DegreeOfParallelism = cores,
            Optimizer = Optimizer == "adam" ? new Adam() : null, ReproducibleAcrossCores = reproducible,
        };
        return Fit(_network, options, _data);
    }

    // Through INetwork: Trainer<INetwork> runs whichever generated class the shape names.
    private static float Fit(INetwork network, TrainerOptions options, Dataset data) =>
        new Trainer<INetwork>(network, options).Fit(data).History[0].TrainingLoss;

    [Benchmark(Baseline = true)]
    public float OneCore() => Epoch(1);

    [Benchmark]
    public float TwoCores() => Epoch(2);

    // TrainerOptions.ReproducibleAcrossCores: what the same bits on any number of cores cost one core, and two.
    [Benchmark]
    public float OneCoreReproducible() => Epoch(1, reproducible: true);

    [Benchmark]
    public float TwoCoresReproducible() => Epoch(2, reproducible: true);
}

/// <summary>
/// The ceiling of <see cref="AllCores"/>: a fixed amount of independent FMA work (registers only, no memory, no
/// synchronization but the final join) on one thread, then split over two. On a dedicated two-core machine the ratio is
/// 0.5; on the shared VMs here it has been anywhere from 0.62 to 0.88, run to run.
/// </summary>
public class AllCoresCeiling
{
    private const long Iterations = 20_000_000;

    private static float Work(int threads)
    {
        if (threads == 1) return PeakFlops.Run256(Iterations);
        float other = 0;
        var thread = new Thread(() => other = PeakFlops.Run256(Iterations / 2));
        thread.Start();
        float mine = PeakFlops.Run256(Iterations / 2);
        thread.Join();
        return mine + other;
    }

    [Benchmark(Baseline = true)]
    public float OneThread() => Work(1);

    [Benchmark]
    public float TwoThreads() => Work(2);
}

/// <summary>
/// A large generated <c>ForwardBatch</c> (4,096 samples) on one core (the baseline) and on two
/// (<see cref="FixedNet.Runtime.ParallelForward.DegreeOfParallelism"/>): no reduction, so its ratio should come close
/// to <see cref="AllCoresCeiling"/>'s in the same run.
/// </summary>
public class AllCoresInference
{
    private const int Batch = 4096;

    [Params("784-128-10", "784-256-128-10")]
    public string Shape { get; set; } = "784-128-10";

    private INetwork _network = null!;
    private float[] _inputs = null!, _outputs = null!;

    [GlobalSetup]
    public void Setup()
    {
        _network = Shape == "784-128-10" ? new Net784x128x10() : new Net784x256x128x10();
        var random = new Random(1);
        _inputs = new float[Batch * _network.InputSize];
        for (int i = 0; i < _inputs.Length; i++) _inputs[i] = (float)random.NextDouble();
        _outputs = new float[Batch * _network.OutputSize];
    }

    [GlobalCleanup]
    public void Cleanup() => FixedNet.Runtime.ParallelForward.DegreeOfParallelism = null;

    private float Run(int cores)
    {
        FixedNet.Runtime.ParallelForward.DegreeOfParallelism = cores;
        _network.ForwardBatch(_inputs, _outputs, Batch);
        return _outputs[0];
    }

    [Benchmark(Baseline = true)]
    public float OneCore() => Run(1);

    [Benchmark]
    public float TwoCores() => Run(2);
}
