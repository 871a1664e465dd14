using System;
using System.Linq;
using FixedNet.Training;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// The schedule between a team and one core (TeamSchedule): it follows the measured times, and whichever way a batch
/// goes, the parameters are the bits one core gives.
/// </summary>
public class TeamScheduleTests
{
    // Runs `batches` batches through the schedule, each taking team or alone seconds per sample; returns the ways taken (true: team).
    private static bool[] Run(TeamSchedule schedule, int batches, Func<int, double> team, Func<int, double> alone)
    {
        var ways = new bool[batches];
        for (int b = 0; b < batches; b++)
        {
            ways[b] = schedule.Team;
            schedule.Record(ways[b] ? team(b) : alone(b));
        }
        return ways;
    }

    [Fact]
    public void AFasterTeam_KeepsTheBatches_AndProbesOneCoreEverLessOften()
    {
        var schedule = new TeamSchedule();
        var ways = Run(schedule, 2_000, _ => 1.0, _ => 1.6);
        int[] alone = Enumerable.Range(0, ways.Length).Where(b => !ways[b]).ToArray();
        // probes of 3 batches after stretches of 32, 64, 128, … team batches, up to 1,024
        var starts = new System.Collections.Generic.List<int>();
        for (int start = TeamSchedule.FirstProbe, length = TeamSchedule.FirstProbe; start < ways.Length; length = Math.Min(2 * length, TeamSchedule.LongestStretch), start += 3 + length)
            starts.Add(start);
        Assert.Equal([32, 99, 230, 489, 1004], starts);
        Assert.Equal(starts.SelectMany(s => new[] { s, s + 1, s + 2 }), alone);
        Assert.Equal(alone.Length, schedule.AloneBatches);
        Assert.True(schedule.Team);
    }

    [Fact]
    public void ATeamThatRunsSlower_HandsTheBatchesToOneCore_AndTakesThemBackWhenItIsFasterAgain()
    {
        var schedule = new TeamSchedule();
        // the second core is taken away from batch 100 to batch 400
        static double Team(int b) => b is >= 100 and < 400 ? 1.7 : 1.0;
        var ways = Run(schedule, 700, Team, _ => 1.2);
        Assert.Equal([32, 33, 34, 99, 100, 101], Enumerable.Range(0, 102).Where(b => !ways[b])); // one core's first two probes lost
        // the first stretch with slow team batches ends in a probe that one core wins; from then on one core trains
        int handedOver = Array.FindIndex(ways, 102, w => !w);
        Assert.InRange(handedOver, 102, 300);
        Assert.True(ways[handedOver..400].Count(w => !w) > 0.9 * (400 - handedOver));
        // once the second core is back, a probe of the team wins the batches back
        Assert.True(ways[^150..].Count(w => w) > 0.9 * 150);
        Assert.True(ways[^1]);
    }

    [Theory]
    [InlineData(0.95)] // within the margin: the team keeps the batches
    [InlineData(0.85)] // beyond it: one core takes them
    public void OneCore_MustBeClearlyFaster(double alone)
    {
        var schedule = new TeamSchedule();
        Run(schedule, TeamSchedule.FirstProbe + 3, _ => 1.0, _ => alone);
        Assert.Equal(alone > TeamSchedule.Margin, schedule.Team);
    }

    [Fact]
    public void TheFirstBatches_AreNotTimed()
    {
        // they run while the JIT compiles: a team slow only then keeps the batches
        var schedule = new TeamSchedule();
        Run(schedule, TeamSchedule.FirstProbe + 3, b => b < TeamSchedule.FirstStretch ? 5.0 : 1.0, _ => 1.2);
        Assert.True(schedule.Team);
        Assert.Equal(3, schedule.AloneBatches);
    }

    [Fact]
    public void TheProbesFirstBatch_DoesNotCount()
    {
        // the first batch after a switch moves the parameters between the cores' caches: a fast first probe batch wins nothing
        var schedule = new TeamSchedule();
        Run(schedule, TeamSchedule.FirstProbe, _ => 1.0, _ => 9.9);
        schedule.Record(0.1); // probe 1 (one core)
        schedule.Record(1.5); // probe 2
        schedule.Record(1.4); // probe 3
        Assert.True(schedule.Team);
    }

    [Fact]
    public void ShortBatches_AreNotCompared()
    {
        var schedule = new TeamSchedule();
        for (int b = 0; b < TeamSchedule.FirstProbe; b++) schedule.Record(1.0);
        schedule.Record(2.0);
        schedule.Record(0.1, timed: false); // a short last batch of an epoch, fast per sample only because it is short
        schedule.Record(2.0);
        Assert.True(schedule.Team);
    }

    public static TheoryData<string, int, float?> Cases() => new()
    {
        { "sgd", 32, null },      // the fused step, alone: TrainBatch
        { "adam", 64, null },     // the gradient and the step by ranges, alone: BackwardBatch and Step
        { "momentum", 96, 0.5f }, // clipped by the whole gradient's norm either way
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BatchesTrainedAlone_AmongTheTeams_GiveTheBitsOfOneCore(string optimizer, int batch, float? clip)
    {
        (float[] Parameters, float[] Losses, TeamSchedule? Schedule) Train(int cores, int alternateEvery)
        {
            var net = new MnistNet();
            net.InitializeParameters(3);
            var options = new TrainerOptions
            {
                Epochs = 2, BatchSize = batch, Optimizer = TrainerTests.Create(optimizer), LearningRate = optimizer == "adam" ? 0.001f : 0.05f,
                Seed = 4, DegreeOfParallelism = cores, GradientClipNorm = clip,
            };
            var trainer = new Trainer<MnistNet>(net, options);
            TeamSchedule.AlternateEveryForTests = alternateEvery;
            try
            {
                var result = trainer.Fit(DataParallelTests.Data(500, 5), DataParallelTests.Data(200, 9));
                return (net.Parameters.ToArray(), result.History.Select(r => r.ValidationLoss).ToArray(), trainer.LastSchedule);
            }
            finally
            {
                TeamSchedule.AlternateEveryForTests = 0;
            }
        }

        var one = Train(cores: 1, alternateEvery: 0);
        Assert.Null(one.Schedule);
        long before = DataParallel.TeamBatches;
        var mixed = Train(cores: 2, alternateEvery: 2); // 2 batches one way, then 3 the other, and so on
        int batches = 2 * ((500 + batch - 1) / batch);
        Assert.NotNull(mixed.Schedule);
        Assert.InRange(mixed.Schedule!.AloneBatches, batches / 3, batches - 1);
        Assert.Equal(batches - mixed.Schedule.AloneBatches, DataParallel.TeamBatches - before);
        Assert.Equal(one.Parameters.Select(BitConverter.SingleToInt32Bits), mixed.Parameters.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(one.Losses, mixed.Losses);
    }
}
