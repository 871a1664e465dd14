using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FixedNet.Benchmarks;

// Usage: dotnet run -c Release --project benchmarks/FixedNet.Benchmarks -- --filter '*'
//        (any BenchmarkDotNet arguments; e.g. --filter '*TrainBatch32*').
//        --inprocess runs the benchmarks inside this process (BenchmarkDotNet's in-process toolchain) instead of
//        building a separate project per run, so the suite also runs where only the .NET runtime is installed.
//        --verify only checks the generated networks against the reference engine on this machine, and exits.
//        --bandwidth only measures this core's streaming rates over the large shapes' parameters (the batch-1 floors), and exits.
bool inProcess = args.Contains("--inprocess");
args = args.Where(a => a != "--inprocess").ToArray();
Console.WriteLine($"Generated kernels: Vector{FixedNet.Runtime.Simd.VectorBits} (Vector512 hardware-accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}).");
if (args.Contains("--verify")) return Verify.Run();
if (args.Contains("--bandwidth")) return Bandwidth.Report();
var torchFailure = TorchAvailability.WhyNot;
Console.WriteLine($"Measured fp32 FMA peak of this core: {PeakFlops.Gflops:F1} GFLOP/s (Vector{PeakFlops.VectorBits}, registers only).");
Console.WriteLine(torchFailure is null ? "TorchSharp: loaded, included." : "TorchSharp: not included, it does not load here: " + torchFailure);

var job = Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithIterationCount(12);
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(inProcess ? job.WithToolchain(BenchmarkDotNet.Toolchains.InProcess.Emit.InProcessEmitToolchain.Instance) : job)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(new PeakColumn(best: false), StatisticColumn.Min, new PeakColumn(best: true), new CeilingShareColumn())
    .WithOrderer(new CaseByCaseOrderer())
    .HideColumns("Error", "StdDev", "RatioSD", "Gen0", "Alloc Ratio");
if (torchFailure is not null) config = config.AddFilter(new NameFilter(name => !name.Contains("TorchSharp", StringComparison.Ordinal)));

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
return 0;

/// <summary>
/// GFLOP/s per sample and its share of this core's fp32 FMA peak, measured at start-up by <see cref="PeakFlops"/>:
/// from the mean time, or (best) from the fastest iteration, which on a shared VM shows what the code does when the
/// neighbours are quiet.
/// </summary>
internal sealed class PeakColumn(bool best) : IColumn
{
    private static double PeakGflops => PeakFlops.Gflops;

    public string Id => nameof(PeakColumn) + (best ? ".Min" : ".Mean");
    public string ColumnName => best ? "% of peak (Min)" : "% of peak";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => best ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"GFLOP/s per sample over {PeakGflops:F1} GFLOP/s, this core's fp32 FMA peak measured in the same run, from the {(best ? "fastest iteration (Min)" : "mean time")}";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is null || !benchmarkCase.Descriptor.Type.IsSubclassOf(typeof(EngineBenchmarks))) return "-";
        string shape = (string)benchmarkCase.Parameters["Shape"];
        var architecture = Shapes.CreateGenerated(shape).Architecture;
        long flops = benchmarkCase.Descriptor.Type == typeof(Inference) || benchmarkCase.Descriptor.Type == typeof(InferenceBatch32) ? Shapes.InferenceFlops(architecture) : Shapes.TrainFlops(architecture);
        double gflops = flops / (best ? report.ResultStatistics.Min : report.ResultStatistics.Mean);
        return $"{100 * gflops / PeakGflops:F0}% ({gflops:F1} GFLOP/s)";
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}

/// <summary>
/// BenchmarkDotNet's declared order, except that each parameter case's benchmarks run one after the other even where they
/// fall in different categories: <see cref="AllCores"/> measures its ceiling beside each case's trainings, which only helps
/// if it runs beside them (the default orderer runs one category's cases, then the next's).
/// </summary>
internal sealed class CaseByCaseOrderer : IOrderer
{
    private readonly DefaultOrderer _declared = new(SummaryOrderPolicy.Declared);

    public IEnumerable<BenchmarkCase> GetExecutionOrder(ImmutableArray<BenchmarkCase> benchmarksCase, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        _declared.GetExecutionOrder(benchmarksCase, order)
            .GroupBy(c => c.Descriptor.Type.FullName + "|" + c.Parameters.DisplayInfo + "|" + c.Job.DisplayInfo) // keys and cases in first-seen order
            .SelectMany(group => group);

    public IEnumerable<BenchmarkCase> GetSummaryOrder(ImmutableArray<BenchmarkCase> benchmarksCases, Summary summary) => _declared.GetSummaryOrder(benchmarksCases, summary);
    public string? GetHighlightGroupKey(BenchmarkCase benchmarkCase) => _declared.GetHighlightGroupKey(benchmarkCase);
    public string? GetLogicalGroupKey(ImmutableArray<BenchmarkCase> allBenchmarksCases, BenchmarkCase benchmarkCase) => _declared.GetLogicalGroupKey(allBenchmarksCases, benchmarkCase);
    public IEnumerable<IGrouping<string, BenchmarkCase>> GetLogicalGroupOrder(IEnumerable<IGrouping<string, BenchmarkCase>> logicalGroups, IEnumerable<BenchmarkLogicalGroupRule>? order = null) =>
        _declared.GetLogicalGroupOrder(logicalGroups, order);
    public bool SeparateLogicalGroups => _declared.SeparateLogicalGroups;
}
