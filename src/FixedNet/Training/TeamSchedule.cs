using System;

namespace FixedNet.Training;

/// <summary>
/// Chooses, batch by batch, whether a team (<see cref="DataParallel"/> in team mode) or the calling thread alone trains
/// the next batch, by the time each took per sample. A team computes every value as one core does, so the choice
/// changes the speed and never the bits. A team only loses where its cores do not all run: another process on one of
/// them, or a VM whose hypervisor takes a vCPU away, leaves the others waiting at every barrier, and a team can then
/// take longer than one core (1.6–1.9× on the 2-vCPU VM of benchmarks/README.md while its second vCPU was stolen).
/// <para>
/// The schedule runs a stretch of batches one way, then a probe of <see cref="ProbeBatches"/> batches the other way:
/// the first of them moves the parameters' lines between the cores' caches and is not counted, and the fastest of the
/// others is compared with the median of the stretch. The other way wins if it took at most <see cref="Margin"/> of that
/// time; then the schedule switches and the stretches start again at <see cref="FirstStretch"/> batches; else each
/// stretch is twice as long as the last, up to <see cref="LongestStretch"/>, so that a team that keeps winning probes
/// one core for 3 batches in 1,027. The first probe comes after 32 batches, of which the first 16 are not timed (the JIT
/// is still compiling then), and only batches of the full size are timed.
/// </para>
/// </summary>
internal sealed class TeamSchedule
{
    internal const int FirstStretch = 16, LongestStretch = 1024, ProbeBatches = 3;

    /// <summary>The first probe comes after this many team batches, the first <see cref="FirstStretch"/> of them not timed: they run while the JIT compiles.</summary>
    internal const int FirstProbe = 2 * FirstStretch;

    /// <summary>The other way's share of the current way's time at which the schedule switches to it.</summary>
    internal const double Margin = 0.9;

    /// <summary>Tests: every probe switches, and stretches last this many batches (0: the schedule as above).</summary>
    [ThreadStatic] internal static int AlternateEveryForTests;

    private readonly double[] _stretch = new double[LongestStretch]; // the current stretch's times per sample
    private readonly int _alternateEvery = AlternateEveryForTests;
    private int _count, _timed, _length, _probe; // batches in the stretch, those timed, its length, probe batches left (0: no probe)
    private int _warmUp = FirstStretch; // batches left before the first timed one
    private bool _team = true;
    private double _probeBest;

    public TeamSchedule() => _length = _alternateEvery > 0 ? _alternateEvery : FirstProbe;

    /// <summary>Whether the team trains the next batch.</summary>
    public bool Team => _probe > 0 ? !_team : _team;

    /// <summary>Batches the calling thread trained alone so far (tests read it).</summary>
    public int AloneBatches { get; private set; }

    /// <summary>Records the time of the batch just trained (the way <see cref="Team"/> gave), in seconds per sample; <paramref name="timed"/> false for a short batch, which counts but is not compared.</summary>
    public void Record(double secondsPerSample, bool timed = true)
    {
        if (!Team) AloneBatches++;
        if (_warmUp > 0)
        {
            _warmUp--;
            timed = false;
        }
        if (_probe > 0)
        {
            if (_probe < ProbeBatches && timed) _probeBest = Math.Min(_probeBest, secondsPerSample); // the first one moved the lines
            if (--_probe == 0) Decide();
            return;
        }
        if (timed) _stretch[_timed++] = secondsPerSample;
        if (++_count >= _length)
        {
            _probe = ProbeBatches;
            _probeBest = double.PositiveInfinity;
        }
    }

    private void Decide()
    {
        var stretch = _stretch.AsSpan(0, _timed);
        stretch.Sort();
        double median = _timed == 0 ? double.PositiveInfinity : stretch[_timed / 2];
        if (_alternateEvery > 0 || _probeBest <= Margin * median)
        {
            _team = !_team;
            _length = _alternateEvery > 0 ? _alternateEvery : FirstStretch;
        }
        else
        {
            _length = Math.Min(2 * _length, LongestStretch);
        }
        _count = _timed = 0;
    }
}
