using System;
using System.Linq;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FixedNet.Data;
using FixedNet.Training;

namespace FixedNet.Benchmarks;

/// <summary>
/// Three training epochs with one <c>Trainer.Fit</c> call on one core (the baseline) and on two
/// (<see cref="TrainerOptions.DegreeOfParallelism"/>: a team on each batch for these generated networks), so that the call's set-up (clones, buffers, threads) weighs as
/// in a real run: over 4,000 Fashion-MNIST-sized samples (784 inputs, 10 classes; a fifteenth of the real epoch, which
/// changes no ratio) or the digits sample's 1,294 samples of 64 inputs. Each case also measures the ceiling right beside
/// its trainings (<c>CeilingOneThread</c> / <c>CeilingTwoThreads</c>: <see cref="AllCoresCeiling"/>'s independent FMA work,
/// category "Ceiling", its own baseline), because on the shared VMs here what a second thread gains changes from minute
/// to minute; <see cref="CeilingShareColumn"/> then reads each two-core row's speed-up against the ceiling of its own case.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
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

    [Benchmark(Baseline = true), BenchmarkCategory("Training")]
    public float OneCore() => Epoch(1);

    [Benchmark, BenchmarkCategory("Training")]
    public float TwoCores() => Epoch(2);

    // TrainerOptions.ReproducibleAcrossCores: what the same bits on any number of cores cost one core, and two.
    [Benchmark, BenchmarkCategory("Training")]
    public float OneCoreReproducible() => Epoch(1, reproducible: true);

    [Benchmark, BenchmarkCategory("Training")]
    public float TwoCoresReproducible() => Epoch(2, reproducible: true);

    [Benchmark(Baseline = true), BenchmarkCategory("Ceiling")]
    public float CeilingOneThread() => AllCoresCeiling.Work(1);

    [Benchmark, BenchmarkCategory("Ceiling")]
    public float CeilingTwoThreads() => AllCoresCeiling.Work(2);
}

/// <summary>
/// The ceiling of <see cref="AllCores"/>: a fixed amount of independent FMA work (registers only, no memory, no
/// synchronization but the final join) on one thread, then split over two. On a dedicated two-core machine the ratio is
/// 0.5; on the shared VMs here it has been anywhere from 0.62 to 0.88, run to run.
/// </summary>
public class AllCoresCeiling
{
    private const long Iterations = 20_000_000;

    internal static float Work(int threads)
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

/// <summary>
/// Issue 18's measure, for each two-core row of <see cref="AllCores"/>: its speed-up over the one-core row of the same
/// case (<c>TwoCores</c> against <c>OneCore</c>, <c>TwoCoresReproducible</c> against <c>OneCoreReproducible</c>), over the
/// speed-up of the ceiling measured in that same case (at most 2×); from the mean times, as BenchmarkDotNet's Ratio is.
/// </summary>
internal sealed class CeilingShareColumn : IColumn
{
    public string Id => nameof(CeilingShareColumn);
    public string ColumnName => "Of ceiling";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 2;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "two cores' speed-up over one core, over the speed-up of independent FMA work on two threads measured in the same case (its own CeilingOneThread / CeilingTwoThreads rows)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        if (benchmarkCase.Descriptor.Type != typeof(AllCores) || !method.StartsWith("TwoCores", StringComparison.Ordinal)) return "-";
        double? Mean(string name) => summary.Reports
            .FirstOrDefault(r => r.BenchmarkCase.Descriptor.Type == typeof(AllCores) && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == name
                && r.BenchmarkCase.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo && r.BenchmarkCase.Job.DisplayInfo == benchmarkCase.Job.DisplayInfo)
            ?.ResultStatistics?.Mean;
        if (Mean(method) is not { } two || Mean(method.Replace("TwoCores", "OneCore", StringComparison.Ordinal)) is not { } one
            || Mean(nameof(AllCores.CeilingOneThread)) is not { } ceilingOne || Mean(nameof(AllCores.CeilingTwoThreads)) is not { } ceilingTwo)
            return "-";
        // Two threads cannot gain more than 2×: a higher reading means the one-thread iterations lost time to the VM's
        // neighbours, so the ceiling is capped there (and the reading shown).
        double speedUp = one / two, measured = ceilingOne / ceilingTwo, ceiling = Math.Min(measured, 2.0);
        return FormattableString.Invariant($"{100 * speedUp / ceiling:F0}% ({speedUp:F2}× of {ceiling:F2}×{(measured > ceiling ? $", read {measured:F2}×" : "")})");
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(AllCores));
}
