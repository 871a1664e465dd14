using System;

namespace FixedNet.Training;

/// <summary>The learning rate of each epoch (0-based).</summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for <paramref name="epoch"/>.</summary>
    public abstract float Rate(int epoch);

    /// <summary>The same rate every epoch.</summary>
    public static LearningRateSchedule Constant(float rate) => new StepSchedule(rate, int.MaxValue, 1f);

    /// <summary><c>rate·γ^⌊epoch/every⌋</c>, like torch.optim.lr_scheduler.StepLR.</summary>
    public static LearningRateSchedule Step(float rate, int every, float gamma) => new StepSchedule(rate, every, gamma);

    /// <summary><c>min + (rate − min)·(1 + cos(π·epoch/epochs))/2</c>, like CosineAnnealingLR.</summary>
    public static LearningRateSchedule Cosine(float rate, int epochs, float minimum = 0f) => new CosineSchedule(rate, epochs, minimum);

    /// <summary>A constant rate.</summary>
    public static implicit operator LearningRateSchedule(float rate) => Constant(rate);

    private static void CheckRate(float rate)
    {
        if (!(rate > 0f) || float.IsInfinity(rate)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The learning rate must be positive and finite.");
    }

    private sealed class StepSchedule : LearningRateSchedule
    {
        private readonly float _rate, _gamma;
        private readonly int _every;

        public StepSchedule(float rate, int every, float gamma)
        {
            CheckRate(rate);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
            if (!(gamma > 0f)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "γ must be positive.");
            (_rate, _every, _gamma) = (rate, every, gamma);
        }

        public override float Rate(int epoch) => _rate * MathF.Pow(_gamma, epoch / _every);
    }

    private sealed class CosineSchedule : LearningRateSchedule
    {
        private readonly float _rate, _minimum;
        private readonly int _epochs;

        public CosineSchedule(float rate, int epochs, float minimum)
        {
            CheckRate(rate);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
            if (!(minimum >= 0f && minimum <= rate)) throw new ArgumentOutOfRangeException(nameof(minimum), minimum, "The minimum must be in [0, rate].");
            (_rate, _epochs, _minimum) = (rate, epochs, minimum);
        }

        public override float Rate(int epoch) =>
            _minimum + (_rate - _minimum) * 0.5f * (1f + MathF.Cos(MathF.PI * Math.Min(epoch, _epochs) / _epochs));
    }
}
