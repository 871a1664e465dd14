using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace FixedNet.Training;

/// <summary>
/// A text progress bar for <see cref="Trainer{TNetwork}"/>: one line per epoch, redrawn in place (at most ten times a
/// second) with the samples done, and a summary line when the epoch ends. The summary's samples/s is that of the run so
/// far, not of the epoch alone: an epoch of a small data set lasts milliseconds, and its own rate swings with whatever
/// else the machine did in them.
/// </summary>
public sealed class ConsoleProgressBar : IProgress<BatchProgress>, IProgress<EpochReport>
{
    private const int Width = 30;
    private readonly TextWriter _writer;
    private readonly bool _redraw;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = long.MinValue;
    private int _epochs;              // epochs of the current run reported so far
    private double _secondsPerSample; // Σ over them of 1 / (the epoch's samples/s)

    /// <summary>Writes to <paramref name="writer"/> (the console by default). With <paramref name="redraw"/> false
    /// (e.g. output redirected to a file) only the epoch summaries are written.</summary>
    public ConsoleProgressBar(TextWriter? writer = null, bool? redraw = null)
    {
        _writer = writer ?? Console.Out;
        _redraw = redraw ?? (writer is null && !Console.IsOutputRedirected);
    }

    /// <inheritdoc/>
    public void Report(BatchProgress value)
    {
        if (!_redraw) return;
        long now = _clock.ElapsedMilliseconds;
        if (value.SamplesDone < value.SamplesTotal && now - _lastDraw < 100) return;
        _lastDraw = now;
        int filled = (int)((long)Width * value.SamplesDone / Math.Max(1, value.SamplesTotal));
        _writer.Write(string.Create(CultureInfo.InvariantCulture,
            $"\repoch {value.Epoch}/{value.Epochs} [{new string('#', filled)}{new string('.', Width - filled)}] {value.SamplesDone:N0}/{value.SamplesTotal:N0} samples  loss {value.RunningLoss:F4} "));
    }

    /// <inheritdoc/>
    public void Report(EpochReport value)
    {
        if (_redraw) _writer.Write('\r');
        string validation = float.IsNaN(value.ValidationLoss) ? string.Empty
            : value.IsRegression ? string.Create(CultureInfo.InvariantCulture, $"  validation loss {value.ValidationLoss:F4}  MAE {value.ValidationMeanAbsoluteError:G4}  R² {value.ValidationRSquared:F4}")
            : string.Create(CultureInfo.InvariantCulture, $"  validation loss {value.ValidationLoss:F4}  accuracy {value.ValidationAccuracy:P2}");
        // Every epoch of a run trains on the same number of samples, so the run's rate, Σ samples / Σ time, is the
        // harmonic mean of the epochs' rates. Epoch 1 starts a new run.
        if (value.Epoch <= 1) (_epochs, _secondsPerSample) = (0, 0);
        _epochs++;
        _secondsPerSample += 1 / value.SamplesPerSecond;
        _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {value.Epoch,3}/{value.Epochs}  loss {value.TrainingLoss:F4}{validation}  {_epochs / _secondsPerSample:N0} samples/s so far  lr {value.LearningRate:G3}").PadRight(Width + 60));
    }
}
