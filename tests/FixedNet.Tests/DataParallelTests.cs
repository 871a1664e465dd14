using System;
using System.Collections.Generic;
using System.Linq;
using FixedNet.Data;
using FixedNet.Runtime;
using FixedNet.Training;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// Training on several cores (TrainerOptions.DegreeOfParallelism): the same bits on every run, the same training as one
/// core up to the rounding of the gradient sums, the split rule, and one core wherever the split cannot run.
/// </summary>
public class DataParallelTests
{
    public static TheoryData<string> Optimizers => ["sgd", "momentum", "adam"];

    // 784-128-10 (101,770 parameters): a batch of 256 splits into two shards of 128 on two cores.
    internal static Dataset Data(int count, int seed)
    {
        var random = new Random(seed);
        var labels = Enumerable.Range(0, count).Select(_ => random.Next(10)).ToArray();
        var x = new float[count * 784];
        for (int s = 0; s < count; s++)
            for (int i = 0; i < 784; i++) x[s * 784 + i] = (float)random.NextDouble() * 0.5f + (i % 10 == labels[s] ? 0.5f : 0f);
        return new Dataset(x, OneHot.Encode(labels, 10), 784, 10);
    }

    // By default through the shards of a batch (ShardsOnly hides ISharedBatch); with team, MnistNet itself, all cores on each batch.
    private static (float[] Parameters, TrainingResult Result) Train(string optimizer, int? cores, int samples = 800, int batch = 256, int epochs = 2,
        bool team = false, float? clip = null)
    {
        var options = new TrainerOptions
        {
            Epochs = epochs, BatchSize = batch, Optimizer = TrainerTests.Create(optimizer), LearningRate = optimizer == "adam" ? 0.001f : 0.05f,
            Seed = 4, DegreeOfParallelism = cores, GradientClipNorm = clip,
        };
        if (team)
        {
            var net = new MnistNet();
            net.InitializeParameters(3);
            // with a validation set, evaluated on both cores from the clones, which team mode must first bring up to date
            var result = new Trainer<MnistNet>(net, options).Fit(Data(samples, 5), Data(300, 9));
            return (net.Parameters.ToArray(), result);
        }
        else
        {
            var net = new ShardsOnly(new MnistNet());
            net.InitializeParameters(3);
            var result = new Trainer<ShardsOnly>(net, options).Fit(Data(samples, 5));
            return (net.Parameters.ToArray(), result);
        }
    }

    // MnistNet as a network that can be cloned but does not implement ISharedBatch: the trainer splits its batches into shards.
    private sealed class ShardsOnly(MnistNet network) : ForwardingNetwork(network), INetwork
    {
        public INetwork Clone() => new ShardsOnly(((MnistNet)Inner).Clone());
    }

    // 784-128-10 (101,770 parameters) makes a team of two at every batch size here (MinTeamShare per worker)
    public static TheoryData<string, int, int, float?> TeamCases() => new()
    {
        { "momentum", 128, 2, null },  // 4 chunks of 32 a batch, every layer split between the cores; a last batch of 116
        { "adam", 128, 3, null },      // a team of three
        { "adam", 256, 2, null },      // 8 chunks a batch
        { "momentum", 200, 2, 0.5f },  // clipped by the norm of the whole gradient; a last batch of 100
        { "adam", 165, 4, 0.5f },      // four workers, more than this VM has cores; a last batch of 5 runs as a team too
        { "sgd", 32, 2, null },        // plain SGD: the team takes the fused step itself (TrainBatchPart), each worker moving its rows
                                       // of W0 and its columns of the layers above; a last batch of 20
        { "sgd", 128, 2, null },       // … through the gradient buffer past 32 samples
        { "sgd", 165, 3, null },       // … and fused on the last batch of 5
        { "sgd", 200, 2, 0.5f },       // clipped plain SGD: an optimizer object, so BackwardBatchPart and the step by ranges
    };

    [Theory]
    [MemberData(nameof(TeamCases))]
    public void Team_GivesTheSameBitsAsOneCore(string optimizer, int batch, int cores, float? clip)
    {
        long before = DataParallel.TeamBatches;
        var one = Train(optimizer, cores: 1, batch: batch, samples: 500, team: true, clip: clip);
        Assert.Equal(before, DataParallel.TeamBatches); // one core: no team
        var team = Train(optimizer, cores: cores, batch: batch, samples: 500, team: true, clip: clip);
        long batches = DataParallel.TeamBatches - before;
        Assert.Equal(2 * ((500 + batch - 1) / batch), batches); // every batch of both epochs ran as a team
        Assert.Equal(one.Parameters.Select(BitConverter.SingleToInt32Bits), team.Parameters.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(one.Result.History.Select(r => r.TrainingLoss), team.Result.History.Select(r => r.TrainingLoss));
        Assert.Equal(one.Result.History.Select(r => r.ValidationLoss), team.Result.History.Select(r => r.ValidationLoss));
        Assert.All(team.Result.History, r => Assert.True(float.IsFinite(r.ValidationLoss)));
    }

    [Fact]
    public void Team_KeepsTheWholeOptimizerState_ForTheNextFit()
    {
        // Adam's moments of every range, not only worker 0's: a second Fit on the same optimizer goes on as one core's does
        float[] Run(int cores)
        {
            var net = new MnistNet();
            net.InitializeParameters(3);
            var options = new TrainerOptions { Epochs = 1, BatchSize = 128, Optimizer = new Adam(), LearningRate = 0.001f, Seed = 4, DegreeOfParallelism = cores };
            new Trainer<MnistNet>(net, options).Fit(Data(512, 5));
            new Trainer<MnistNet>(net, options with { DegreeOfParallelism = 1 }).Fit(Data(256, 6));
            return net.Parameters.ToArray();
        }
        Assert.Equal(Run(1).Select(BitConverter.SingleToInt32Bits), Run(2).Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void TeamRule_GivesEachWorkerEnoughWork()
    {
        Assert.Equal(2, DataParallel.TeamWorkers(101_770, 32, 2));    // 784-128-10 at batch 32 (3.3 M): two, with any optimizer
        Assert.Equal(3, DataParallel.TeamWorkers(101_770, 32, 16));   // … three, however many cores
        Assert.Equal(1, DataParallel.TeamWorkers(101_770, 16, 2));    // … one at batch 16 (1.6 M)
        Assert.Equal(2, DataParallel.TeamWorkers(235_146, 16, 2));    // 784-256-128-10 at batch 16 (3.8 M): two
        Assert.Equal(1, DataParallel.TeamWorkers(235_146, 8, 2));
        Assert.Equal(1, DataParallel.TeamWorkers(4_810, 32, 16));     // the digits sample's 64-64-10 stays on one core
        Assert.Equal(1, DataParallel.TeamWorkers(4_810, 128, 16));
        Assert.Equal(1, DataParallel.TeamWorkers(235_146, 4096, 1));  // one core asked for
        Assert.Null(DataParallel.TryCreateTeam(new ShardsOnly(new MnistNet()), 2, new Sgd(), null)); // no ISharedBatch
        Assert.Null(DataParallel.TryCreateTeam(new MnistNet(), 1, new Sgd(), null));
    }

    [Fact]
    public void SplitRule_GivesEachShardEnoughWork()
    {
        Assert.Equal(2, DataParallel.ShardsFor(101_770, 256, 2));   // 784-128-10 at batch 256: two shards of 128
        Assert.Equal(1, DataParallel.ShardsFor(101_770, 255, 2));   // shards of 127 are too small
        Assert.Equal(1, DataParallel.ShardsFor(101_770, 32, 16));   // batch 32 stays on one core
        Assert.Equal(1, DataParallel.ShardsFor(4_810, 256, 16));    // the digits sample's 64-64-10 needs 218 samples a shard
        Assert.Equal(2, DataParallel.ShardsFor(235_146, 256, 16));  // 784-256-128-10 at batch 256: two shards, not sixteen
        Assert.Equal(16, DataParallel.ShardsFor(235_146, 2048, 16));
        Assert.Equal(1, DataParallel.ShardsFor(235_146, 128, 1));
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void SameCores_GiveTheSameBits_OnEveryRun(string optimizer)
    {
        var first = Train(optimizer, cores: 2);
        var second = Train(optimizer, cores: 2);
        Assert.Equal(first.Parameters.Select(BitConverter.SingleToInt32Bits), second.Parameters.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(first.Result.History.Select(r => r.TrainingLoss), second.Result.History.Select(r => r.TrainingLoss));
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void TwoCores_TrainAsOneDoes_UpToRounding(string optimizer)
    {
        var one = Train(optimizer, cores: 1);
        var two = Train(optimizer, cores: 2);
        // the shards' sums round differently from one pass over the batch: close, and not the same bits (so the split ran)
        Assert.NotEqual(one.Parameters.Select(BitConverter.SingleToInt32Bits), two.Parameters.Select(BitConverter.SingleToInt32Bits));
        double largest = one.Parameters.Zip(two.Parameters, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 2e-4, $"largest parameter difference {largest}");
        for (int e = 0; e < one.Result.History.Count; e++)
            Assert.Equal(one.Result.History[e].TrainingLoss, two.Result.History[e].TrainingLoss, 1e-4f);
    }

    public static TheoryData<string, int> ReproducibleCases() => new()
    {
        { "sgd", 256 },       // two shards of 128, whatever the cores
        { "adam", 256 },
        { "momentum", 300 },  // a last batch of 44 samples: one shard
        { "sgd", 32 },        // one shard: the workers only keep their copies in step
        { "adam", 1100 },     // eight shards of 137 or 138 samples over 1, 2 and 3 workers
    };

    [Theory]
    [MemberData(nameof(ReproducibleCases))]
    public void ReproducibleAcrossCores_GivesTheSameBits_OnOneTwoAndThreeCores(string optimizer, int batch)
    {
        (float[] Parameters, float[] Losses) Run(int cores)
        {
            var net = new MnistNet();
            net.InitializeParameters(3);
            var result = new Trainer<MnistNet>(net, new TrainerOptions
            {
                Epochs = 2, BatchSize = batch, Optimizer = TrainerTests.Create(optimizer), LearningRate = optimizer == "adam" ? 0.001f : 0.05f,
                Seed = 4, DegreeOfParallelism = cores, ReproducibleAcrossCores = true,
            }).Fit(Data(1100, 5));
            return (net.Parameters.ToArray(), result.History.Select(r => r.TrainingLoss).ToArray());
        }
        var one = Run(1);
        foreach (int cores in new[] { 2, 3 })
        {
            var other = Run(cores);
            Assert.Equal(one.Parameters.Select(BitConverter.SingleToInt32Bits), other.Parameters.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(one.Losses, other.Losses);
        }
        // and it trains as the default does, up to the rounding of the shards' sums
        var net = new MnistNet();
        net.InitializeParameters(3);
        new Trainer<MnistNet>(net, new TrainerOptions
        {
            Epochs = 2, BatchSize = batch, Optimizer = TrainerTests.Create(optimizer), LearningRate = optimizer == "adam" ? 0.001f : 0.05f, Seed = 4, DegreeOfParallelism = 1,
        }).Fit(Data(1100, 5));
        double largest = one.Parameters.Zip(net.Parameters.ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 2e-4, $"largest difference from the default training: {largest}");
    }

    // A network of a third party: everything of MnistNet but Clone(), which INetwork's default says it does not support.
    private sealed class Unclonable() : ForwardingNetwork(new MnistNet());

    [Fact]
    public void ReproducibleAcrossCores_HoldsForANetworkWithoutClone()
    {
        float[] Run(int cores)
        {
            var net = new Unclonable();
            net.InitializeParameters(3);
            new Trainer<Unclonable>(net, new TrainerOptions { Epochs = 1, BatchSize = 256, LearningRate = 0.05f, Seed = 4, DegreeOfParallelism = cores, ReproducibleAcrossCores = true })
                .Fit(Data(600, 5));
            return net.Parameters.ToArray();
        }
        Assert.Equal(Run(1).Select(BitConverter.SingleToInt32Bits), Run(2).Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ReproducibleAcrossCores_SplitsByTheBatch_NotTheCores()
    {
        Assert.Equal(8, DataParallel.ShardsFor(MnistNet.ParameterCount, 1100, DataParallel.ReproducibleShards));
        Assert.Equal(1, DataParallel.ShardsFor(MnistNet.ParameterCount, 255, DataParallel.ReproducibleShards));
        using var one = DataParallel.TryCreate(new MnistNet(), 1, fixedShards: DataParallel.ReproducibleShards);
        Assert.NotNull(one); // one worker running every shard
        Assert.Equal(8, one!.ShardsFor(1100));
        Assert.Null(DataParallel.TryCreate(new MnistNet(), 1));
    }

    [Fact]
    public void OneBatch_IsOneUpdateOnTheBatchsMeanGradient_WithShardsOfUnequalSize()
    {
        // 400 samples in one batch on 3 cores: shards of 133, 133 and 134 samples, weighted by size.
        var data = Data(400, 7);
        var net = new MnistNet();
        net.InitializeParameters(2);
        var expected = net.Parameters.ToArray();
        var gradient = new float[MnistNet.ParameterCount];
        float meanLoss = net.BackwardBatch(data.Inputs, data.Targets, 400, gradient);
        for (int i = 0; i < expected.Length; i++) expected[i] -= 0.1f * gradient[i];

        var result = new Trainer<ShardsOnly>(new ShardsOnly(net), new TrainerOptions { Epochs = 1, BatchSize = 400, LearningRate = 0.1f, DegreeOfParallelism = 3 }).Fit(data);
        Assert.Equal(3, DataParallel.ShardsFor(MnistNet.ParameterCount, 400, 3));
        Assert.Equal(meanLoss, result.History[0].TrainingLoss, 1e-5f);
        double largest = expected.Zip(net.Parameters.ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 1e-6, $"largest difference from one SGD step on the mean gradient: {largest}");
    }

    [Fact]
    public void AnOptimizerOfYourOwn_TrainsOnOneCore_AsBefore()
    {
        float[] Run(int cores)
        {
            var net = new MnistNet();
            net.InitializeParameters(3);
            new Trainer<MnistNet>(net, new TrainerOptions { Epochs = 2, BatchSize = 256, Optimizer = new OwnSgd(), LearningRate = 0.05f, Seed = 4, DegreeOfParallelism = cores })
                .Fit(Data(800, 5));
            return net.Parameters.ToArray();
        }
        // the same bits with 1 and 4 cores: no split ran (its gradient sums would round differently)
        Assert.Equal(Run(1).Select(BitConverter.SingleToInt32Bits), Run(4).Select(BitConverter.SingleToInt32Bits));
    }

    private sealed class OwnSgd : IOptimizer
    {
        public void Initialize(int parameterCount) { }

        public void Step(Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate)
        {
            for (int i = 0; i < parameters.Length; i++) parameters[i] -= learningRate * gradient[i];
        }
    }

    [Fact]
    public void Evaluate_OnTwoCores_AgreesWithOne()
    {
        var data = Data(1000, 8);
        var net = new MnistNet();
        net.InitializeParameters(5);
        Assert.Equal(2, DataParallel.EvaluationWorkers(MnistNet.ParameterCount, 1000, 2)); // four chunks of 256, two workers
        Assert.Equal(1, DataParallel.EvaluationWorkers(4_810, 1000, 2));                   // a small network stays on one core
        var one = Trainer<MnistNet>.Evaluate(net, data);
        var two = Trainer<MnistNet>.Evaluate(net, data, degreeOfParallelism: 2);
        Assert.Equal(one.Count, two.Count);
        Assert.Equal(one.Accuracy, two.Accuracy);        // the same outputs, counted in another order
        Assert.Equal(one.Loss, two.Loss, 1e-6f);         // the same losses, summed in another order
        Assert.InRange(one.Accuracy, 0.01f, 0.99f);      // random parameters: the count means something
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer<MnistNet>.Evaluate(net, data, degreeOfParallelism: 0));
    }

    [Fact]
    public void DegreeOfParallelism_MustBePositive()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<MnistNet>(new MnistNet(), new TrainerOptions { DegreeOfParallelism = 0 }));
        Assert.Equal("options", error.ParamName);
    }
}

/// <summary>TrainerOptions.GradientClipNorm: torch.nn.utils.clip_grad_norm_ before each update, on one core and on two.</summary>
public class GradientClippingTests
{
    private static Dataset Data(int count) => DataParallelTests.Data(count, 11);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void OneBatch_IsOneSgdStep_OnTheClippedMeanGradient(int cores)
    {
        var data = Data(256);
        var net = new MnistNet();
        net.InitializeParameters(6);
        var gradient = new float[MnistNet.ParameterCount];
        net.BackwardBatch(data.Inputs, data.Targets, 256, gradient);
        double norm = Math.Sqrt(gradient.Sum(g => (double)g * g));
        const float maxNorm = 0.05f;
        Assert.True(norm > 2 * maxNorm, $"the gradient's norm {norm} must be above the clip for the test to mean something");
        double coefficient = maxNorm / (norm + 1e-6);
        var expected = net.Parameters.ToArray().Select((p, i) => p - 0.5 * coefficient * gradient[i]).ToArray();

        new Trainer<MnistNet>(net, new TrainerOptions { Epochs = 1, BatchSize = 256, LearningRate = 0.5f, GradientClipNorm = maxNorm, DegreeOfParallelism = cores }).Fit(data);
        double largest = expected.Zip(net.Parameters.ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(largest < 1e-6, $"largest difference from the clipped step: {largest}");
    }

    [Fact]
    public void ANormBelowTheClip_ChangesNothing()
    {
        float[] Run(float? clip, IOptimizer? optimizer)
        {
            var net = new MnistNet();
            net.InitializeParameters(6);
            new Trainer<MnistNet>(net, new TrainerOptions { Epochs = 2, BatchSize = 32, LearningRate = 0.1f, GradientClipNorm = clip, Optimizer = optimizer, DegreeOfParallelism = 1 }).Fit(Data(128));
            return net.Parameters.ToArray();
        }
        // a huge clip: the same bits as SGD through the optimizer path, which clipping takes
        Assert.Equal(Run(null, new Sgd()).Select(BitConverter.SingleToInt32Bits), Run(1e30f, null).Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void GradientClipNorm_MustBePositiveAndFinite(float clip) =>
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer<MnistNet>(new MnistNet(), new TrainerOptions { GradientClipNorm = clip })).ParamName);
}

/// <summary>Evaluation's regression measures: mean absolute error and R², as scikit-learn's r2_score averages them.</summary>
public class RegressionEvaluationTests
{
    private static Dataset Regression(int count, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * 29];
        var t = new float[count * 7];
        for (int i = 0; i < x.Length; i++) x[i] = (float)random.NextDouble() - 0.5f;
        for (int s = 0; s < count; s++)
            for (int k = 0; k < 7; k++) t[s * 7 + k] = x[s * 29 + k] * 2 + (float)random.NextDouble() * 0.1f + k;
        return new Dataset(x, t, 29, 7);
    }

    [Fact]
    public void MeanAbsoluteError_AndRSquared_AgreeWithTheirDefinitions()
    {
        var data = Regression(600, 3);
        var net = new WideHuberNet();
        net.InitializeParameters(2);
        new Trainer<WideHuberNet>(net, new TrainerOptions { Epochs = 30, BatchSize = 16, LearningRate = 0.02f, Optimizer = new Adam(), DegreeOfParallelism = 1 }).Fit(data);
        var evaluation = Trainer<WideHuberNet>.Evaluate(net, data);

        // the definitions, in double precision, from single-sample outputs
        var o = new float[7];
        double absolute = 0, r2 = 0;
        var outputs = new double[600, 7];
        for (int s = 0; s < 600; s++)
        {
            net.Forward(data.Input(s), o);
            for (int k = 0; k < 7; k++) { outputs[s, k] = o[k]; absolute += Math.Abs(o[k] - data.Target(s)[k]); }
        }
        for (int k = 0; k < 7; k++)
        {
            double mean = Enumerable.Range(0, 600).Average(s => (double)data.Target(s)[k]);
            double residual = Enumerable.Range(0, 600).Sum(s => Math.Pow(data.Target(s)[k] - outputs[s, k], 2));
            double total = Enumerable.Range(0, 600).Sum(s => Math.Pow(data.Target(s)[k] - mean, 2));
            r2 += 1 - residual / total;
        }
        Assert.Equal(absolute / (600 * 7), evaluation.MeanAbsoluteError, 1e-5);
        Assert.Equal(r2 / 7, evaluation.RSquared, 1e-4);
        Assert.InRange(evaluation.RSquared, 0.5, 1.0); // it learned: R² means something here
    }

    [Fact]
    public void ConstantTargets_CountOne_WhenPredictedExactly_ElseZero()
    {
        var sums = new Training.Evaluator.Sums(2);
        // two samples, output 0 predicted exactly (targets 3, 3), output 1 not (targets 5, 5, predictions 4, 6)
        sums.Target[0] = 6; sums.TargetSquare[0] = 18; sums.SquaredError[0] = 0;
        sums.Target[1] = 10; sums.TargetSquare[1] = 50; sums.SquaredError[1] = 2;
        Assert.Equal(0.5f, sums.ToEvaluation(2).RSquared);
    }

    [Fact]
    public void TwoCores_GiveTheSameMeasures()
    {
        var data = DataParallelTests.Data(1000, 9);
        var net = new MnistNet();
        net.InitializeParameters(5);
        var one = Trainer<MnistNet>.Evaluate(net, data);
        var two = Trainer<MnistNet>.Evaluate(net, data, degreeOfParallelism: 2);
        Assert.Equal(one.MeanAbsoluteError, two.MeanAbsoluteError, 1e-6f);
        Assert.Equal(one.RSquared, two.RSquared, 1e-5f);
    }

    [Fact]
    public void Progress_ShowsMaeAndRSquared_ForARegressionLoss_AccuracyOtherwise()
    {
        var writer = new System.IO.StringWriter();
        var bar = new ConsoleProgressBar(writer, redraw: false);
        var net = new WideHuberNet();
        var result = new Trainer<WideHuberNet>(net, new TrainerOptions { Epochs = 2, BatchSize = 16, LearningRate = 0.01f, ValidationFraction = 0.2 })
            .Fit(Regression(200, 4), progress: bar);
        Assert.True(result.History[0].IsRegression);
        Assert.True(float.IsFinite(result.History[^1].ValidationRSquared));
        Assert.Matches(@"validation loss \S+  MAE \S+  R² -?\d+\.\d{4}", writer.ToString());
        Assert.DoesNotContain("accuracy", writer.ToString());

        var classification = new System.IO.StringWriter();
        var history = new Trainer<MnistNet>(new MnistNet(), new TrainerOptions { Epochs = 1, ValidationFraction = 0.2 })
            .Fit(DataParallelTests.Data(100, 1), progress: new ConsoleProgressBar(classification, redraw: false));
        Assert.False(history.History[0].IsRegression);
        Assert.Contains("accuracy", classification.ToString());
        Assert.DoesNotContain("MAE", classification.ToString());
    }
}
