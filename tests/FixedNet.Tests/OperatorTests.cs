using System;
using System.Linq;
using System.Runtime.Intrinsics;
using FixedNet.Operators;
using Xunit;

namespace FixedNet.Tests;

/// <summary>
/// The activation operators at every width (float, Vector128, Vector256, Vector512: the 512-bit ones run in software
/// where AVX-512 is missing) and through the row loops, against formulas of their own in double precision; and the
/// branch-free ReLU family bit for bit against its textbook definition, the awkward inputs (NaN, ±0, ±∞, subnormals,
/// the extremes) included.
/// </summary>
public class OperatorTests
{
    private static readonly float[] Awkward =
    [
        float.NaN, -float.NaN, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon,
        1e-40f, -1e-40f, float.MaxValue, float.MinValue, 1f, -1f, 0.5f, -0.5f, 3.25e7f, -3.25e7f,
    ];

    private static void AssertSameBits(float expected, float actual, float input, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"{what} of {input:R} (0x{BitConverter.SingleToInt32Bits(input):X8}): expected {expected:R} (0x{BitConverter.SingleToInt32Bits(expected):X8}), got {actual:R} (0x{BitConverter.SingleToInt32Bits(actual):X8})");

    private static float[] BitPatterns()
    {
        var random = new Random(11);
        var inputs = new float[Awkward.Length + 2000];
        Awkward.CopyTo(inputs, 0);
        for (int i = Awkward.Length; i < inputs.Length; i++) inputs[i] = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
        return inputs;
    }

    /// <summary>f(x) of <typeparamref name="TOp"/> at each of the four widths, lane 0 of a vector holding x in every lane.</summary>
    private static float[] AtEveryWidth<TOp>(float x) where TOp : IUnaryOperator =>
    [
        Activations.Invoke<TOp>(x),
        Activations.Invoke<TOp>(Vector128.Create(x)).ToScalar(),
        Activations.Invoke<TOp>(Vector256.Create(x)).ToScalar(),
        Activations.Invoke<TOp>(Vector512.Create(x)).ToScalar(),
    ];

    private static float[] DerivativeAtEveryWidth<TOp>(float z, float a) where TOp : IActivationOperator =>
    [
        Activations.Derivative<TOp>(z, a),
        Activations.Derivative<TOp>(Vector128.Create(z), Vector128.Create(a)).ToScalar(),
        Activations.Derivative<TOp>(Vector256.Create(z), Vector256.Create(a)).ToScalar(),
        Activations.Derivative<TOp>(Vector512.Create(z), Vector512.Create(a)).ToScalar(),
    ];

    private static readonly string[] Widths = ["float", "Vector128", "Vector256", "Vector512"];

    [Fact]
    public void ReLU_IsZForPositiveZ_ElsePositiveZero_AtEveryWidth()
    {
        foreach (float z in BitPatterns())
        {
            var values = AtEveryWidth<ReLUOperator>(z);
            for (int w = 0; w < 4; w++) AssertSameBits(z > 0f ? z : 0f, values[w], z, "ReLU at " + Widths[w]);
        }
    }

    [Fact]
    public void LeakyReLU_IsZForPositiveZ_ElseSlopeTimesZ_AtEveryWidth()
    {
        foreach (float z in BitPatterns())
        {
            var values = AtEveryWidth<LeakyReLUOperator>(z);
            for (int w = 0; w < 4; w++) AssertSameBits(z > 0f ? z : LeakyReLUOperator.Slope * z, values[w], z, "LeakyReLU at " + Widths[w]);
        }
    }

    [Fact]
    public void ReLUFamilyDerivatives_AreOneForPositiveActivation_ElseTheNegativeSlope()
    {
        foreach (float a in BitPatterns())
        {
            var relu = DerivativeAtEveryWidth<ReLUOperator>(a, a);
            var leaky = DerivativeAtEveryWidth<LeakyReLUOperator>(a, a);
            for (int w = 0; w < 4; w++)
            {
                AssertSameBits(a > 0f ? 1f : 0f, relu[w], a, "ReLU′ at " + Widths[w]);
                AssertSameBits(a > 0f ? 1f : LeakyReLUOperator.Slope, leaky[w], a, "LeakyReLU′ at " + Widths[w]);
            }
        }
    }

    [Fact]
    public void ReLU_OfNaN_IsZero_AsTheReferenceEngineDefinesIt()
    {
        Assert.Equal(0f, Activations.Invoke<ReLUOperator>(float.NaN));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(Activations.Invoke<ReLUOperator>(-0f)));
    }

    // Each operator against double-precision formulas of its own, f and f′, over [−30, 30] and near 0.
    public static TheoryData<string> ElementWise => ["Identity", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "GELU", "SiLU", "ELU", "Softplus"];

    // f from the oracle's definitions; f′ written out here from calculus, not from the library
    private static (double F, double D) Exact(string name, double z)
    {
        double f = DoubleOracle.Activate(Enum.Parse<Activation>(name), z);
        double sigmoid = 1 / (1 + Math.Exp(-z));
        double d = name switch
        {
            "Identity" => 1,
            "Sigmoid" => sigmoid * (1 - sigmoid),
            "Tanh" => 1 / (Math.Cosh(z) * Math.Cosh(z)),
            "ReLU" => z > 0 ? 1 : 0,
            "LeakyReLU" => z > 0 ? 1 : 0.01,
            "GELU" => 0.5 * (1 + DoubleOracle.Erf(z / Math.Sqrt(2))) + z * Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI),
            "SiLU" => sigmoid * (1 + z * (1 - sigmoid)),
            "ELU" => z > 0 ? 1 : Math.Exp(z),
            "Softplus" => z > 20 ? 1 : sigmoid,
            _ => throw new ArgumentException(name, nameof(name)),
        };
        return (f, d);
    }

    // Absolute error allowed beside 4e-7 relative: GELU's erf is a rational approximation, within 3.3e-7 of erf (measured).
    private static double AbsoluteTolerance(string name, double z) => name == "GELU" ? 2e-7 * Math.Abs(z) + 1e-37 : 1e-37;

    private static float[] Values(string name, float z) => name switch
    {
        "Identity" => AtEveryWidth<IdentityOperator>(z),
        "Sigmoid" => AtEveryWidth<SigmoidOperator>(z),
        "Tanh" => AtEveryWidth<TanhOperator>(z),
        "ReLU" => AtEveryWidth<ReLUOperator>(z),
        "LeakyReLU" => AtEveryWidth<LeakyReLUOperator>(z),
        "GELU" => AtEveryWidth<GeluOperator>(z),
        "SiLU" => AtEveryWidth<SiLUOperator>(z),
        "ELU" => AtEveryWidth<EluOperator>(z),
        "Softplus" => AtEveryWidth<SoftplusOperator>(z),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    private static float[] Derivatives(string name, float z, float a) => name switch
    {
        "Identity" => DerivativeAtEveryWidth<IdentityOperator>(z, a),
        "Sigmoid" => DerivativeAtEveryWidth<SigmoidOperator>(z, a),
        "Tanh" => DerivativeAtEveryWidth<TanhOperator>(z, a),
        "ReLU" => DerivativeAtEveryWidth<ReLUOperator>(z, a),
        "LeakyReLU" => DerivativeAtEveryWidth<LeakyReLUOperator>(z, a),
        "GELU" => DerivativeAtEveryWidth<GeluOperator>(z, a),
        "SiLU" => DerivativeAtEveryWidth<SiLUOperator>(z, a),
        "ELU" => DerivativeAtEveryWidth<EluOperator>(z, a),
        "Softplus" => DerivativeAtEveryWidth<SoftplusOperator>(z, a),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    private static float[] Grid()
    {
        var grid = new float[1300];
        for (int i = 0; i < 1200; i++) grid[i] = -30f + 60f * i / 1199f;
        for (int i = 0; i < 100; i++) grid[1200 + i] = (i % 2 == 0 ? 1 : -1) * MathF.Pow(10f, -8f + 7f * i / 99f);
        return grid;
    }

    [Theory]
    [MemberData(nameof(ElementWise))]
    public void ValueAndDerivative_MatchTheExactFormula_AtEveryWidth(string name)
    {
        foreach (float z in Grid())
        {
            var (f, d) = Exact(name, z);
            var values = Values(name, z);
            for (int w = 0; w < 4; w++)
            {
                Assert.True(Math.Abs(values[w] - f) <= 4e-7 * Math.Abs(f) + AbsoluteTolerance(name, z), $"{name}({z:R}) at {Widths[w]}: {values[w]:R}, exact {f:R}");
                // f′ from the value this width computed, as the networks call it
                float derivative = Derivatives(name, z, values[w])[w];
                // f′ from a (a(1 − a), 1 − a²) carries a's rounding, a few ulp of 1, in absolute terms
                Assert.True(Math.Abs(derivative - d) <= 2e-6 * Math.Abs(d) + 3e-7, $"{name}′({z:R}) at {Widths[w]}: {derivative:R}, exact {d:R}");
            }
        }
    }

    // The row loops: every length that takes each rung of the width ladder and its overlapping last vector, in place and
    // into another buffer, nothing written past the row.
    [Theory]
    [MemberData(nameof(ElementWise))]
    public void RowLoops_ApplyTheOperatorToEveryValue_AndNothingElse(string name)
    {
        var info = ActivationInfo.Of(Enum.Parse<Activation>(name));
        var random = new Random(5);
        for (int n = 0; n <= 70; n++)
        {
            var z = new float[n + 1];
            for (int i = 0; i < n; i++) z[i] = (float)(random.NextDouble() * 8 - 4);
            z[n] = 12345f; // sentinel
            var a = new float[n + 1];
            a[n] = -777f;
            info.Forward(z.AsSpan(0, n), a.AsSpan(0, n));
            var inPlace = (float[])z.Clone();
            ApplyInPlace(name, inPlace, n);
            var d = new float[n + 1];
            for (int i = 0; i <= n; i++) d[i] = i + 1;
            info.Backward(z.AsSpan(0, n), a.AsSpan(0, n), d.AsSpan(0, n));
            for (int i = 0; i < n; i++)
            {
                var (f, derivative) = Exact(name, z[i]);
                Assert.True(Math.Abs(a[i] - f) <= 4e-7 * Math.Abs(f) + AbsoluteTolerance(name, z[i]), $"{name} row of {n}, [{i}]: {a[i]:R}, exact {f:R}");
                Assert.Equal(a[i], inPlace[i]);
                Assert.True(Math.Abs(d[i] - (i + 1) * derivative) <= (i + 1) * (2e-6 * Math.Abs(derivative) + 3e-7),
                    $"{name}′ row of {n}, [{i}]: {d[i]:R}, exact {(i + 1) * derivative:R}");
            }
            Assert.Equal(-777f, a[n]);
            Assert.Equal(12345f, inPlace[n]);
            Assert.Equal(n + 1, d[n]);
        }
    }

    private static void ApplyInPlace(string name, float[] row, int n)
    {
        var info = ActivationInfo.Of(Enum.Parse<Activation>(name));
        var copy = row.AsSpan(0, n).ToArray();
        // through the generic loop directly, z and a the same buffer
        switch (name)
        {
            case "Identity": Activations.Apply<IdentityOperator>(ref row[0], ref row[0], n); break;
            case "Sigmoid": Activations.Apply<SigmoidOperator>(ref row[0], ref row[0], n); break;
            case "Tanh": Activations.Apply<TanhOperator>(ref row[0], ref row[0], n); break;
            case "ReLU": Activations.Apply<ReLUOperator>(ref row[0], ref row[0], n); break;
            case "LeakyReLU": Activations.Apply<LeakyReLUOperator>(ref row[0], ref row[0], n); break;
            case "GELU": Activations.Apply<GeluOperator>(ref row[0], ref row[0], n); break;
            case "SiLU": Activations.Apply<SiLUOperator>(ref row[0], ref row[0], n); break;
            case "ELU": Activations.Apply<EluOperator>(ref row[0], ref row[0], n); break;
            default: Activations.Apply<SoftplusOperator>(ref row[0], ref row[0], n); break;
        }
        var separate = new float[n];
        info.Forward(copy, separate);
        Assert.Equal(separate, row.AsSpan(0, n).ToArray());
    }

    [Fact]
    public void Exp_IsWithinAnUlpOrSo_AtEveryWidth_AndKeepsInfinitiesAndNaN()
    {
        // the steps across the range, and its two ends, where n = round(x·log₂e) reaches −126 and 127
        foreach (float x in Enumerable.Range(0, 12823).Select(k => -87.3f + 0.0137f * k).Append(-87.33654f).Append(88.37626f))
        {
            double exact = Math.Exp(x);
            var values = AtEveryWidth<ExpOperator>(x);
            for (int w = 0; w < 4; w++)
                Assert.True(Math.Abs(values[w] - exact) <= 1.5e-7 * exact, $"e^{x:R} at {Widths[w]}: {values[w]:R}, exact {exact:R}");
        }
        (float X, float E)[] special = [(float.NaN, float.NaN), (float.PositiveInfinity, float.PositiveInfinity), (float.NegativeInfinity, 0f),
            (100f, float.PositiveInfinity), (0f, 1f), (-0f, 1f)];
        foreach (var (x, e) in special)
        {
            var values = AtEveryWidth<ExpOperator>(x);
            for (int w = 0; w < 4; w++) Assert.True(e.Equals(values[w]), $"e^{x:R} at {Widths[w]}: {values[w]:R}, expected {e:R}");
        }
        // the vector formula's documented ends: ∞ from 88.376 on, where MathF.Exp still gives up to 3.4e38, and 0 below
        // −87.34, where MathF.Exp gives subnormals
        foreach (var (x, e) in new[] { (88.5f, float.PositiveInfinity), (-87.5f, 0f), (-100f, 0f) })
        {
            var values = AtEveryWidth<ExpOperator>(x);
            for (int w = 1; w < 4; w++) Assert.True(e.Equals(values[w]), $"e^{x:R} at {Widths[w]}: {values[w]:R}, expected {e:R}");
        }
    }

    // The vector tanh caps |x| at 9.1 and takes its own exponential there: every 997th positive float up to 12 and its
    // negative (about 2.2 million values: both sides of the cap, of the 0.25 switch to the series, and the subnormals
    // near 0) within its documented 1.8e-7 relative, and the ends: ±∞ → ±1, NaN → NaN, −0 → −0.
    [Fact]
    public void Tanh_IsWithinItsDocumentedError_AtEveryVectorWidth_AndKeepsItsEnds()
    {
        double worst = 0;
        for (int bits = 1; bits <= BitConverter.SingleToInt32Bits(12f); bits += 997)
        {
            float magnitude = BitConverter.Int32BitsToSingle(bits);
            foreach (float x in new[] { magnitude, -magnitude })
            {
                double exact = Math.Tanh(x);
                var values = AtEveryWidth<TanhOperator>(x);
                for (int w = 1; w < 4; w++)
                {
                    double relative = Math.Abs(values[w] - exact) / Math.Abs(exact);
                    worst = Math.Max(worst, relative);
                    Assert.True(relative <= 1.8e-7, $"tanh {x:R} at {Widths[w]}: {values[w]:R}, exact {exact:R}");
                }
            }
        }
        Assert.True(worst > 1e-8, "the sweep compared nothing");
        (float X, float T)[] ends = [(float.PositiveInfinity, 1f), (float.NegativeInfinity, -1f), (9.1f, 1f), (50f, 1f), (-50f, -1f), (float.NaN, float.NaN), (0f, 0f), (-0f, -0f)];
        foreach (var (x, t) in ends)
        {
            var values = AtEveryWidth<TanhOperator>(x);
            for (int w = 0; w < 4; w++)
                Assert.True(BitConverter.SingleToInt32Bits(t) == BitConverter.SingleToInt32Bits(values[w]) || (float.IsNaN(t) && float.IsNaN(values[w])),
                    $"tanh {x:R} at {Widths[w]}: {values[w]:R}, expected {t:R}");
        }
    }

    [Fact]
    public void Softplus_IsTheIdentityAboveTheThreshold_AsInPyTorch()
    {
        foreach (float z in new[] { 20.0001f, 25f, 1e4f, float.MaxValue })
        {
            var values = AtEveryWidth<SoftplusOperator>(z);
            var derivatives = DerivativeAtEveryWidth<SoftplusOperator>(z, z);
            for (int w = 0; w < 4; w++)
            {
                Assert.Equal(z, values[w]);
                Assert.Equal(1f, derivatives[w]);
            }
        }
        // no overflow below the threshold either: log(1 + e^z) for z = 19.9 is 19.9 + 2.3e-9
        Assert.Equal(19.9f, AtEveryWidth<SoftplusOperator>(19.9f)[2]);
    }

    [Fact]
    public void EveryActivationHasATableLine_AndHeInitializationExactlyForTheReLULikeOnes()
    {
        foreach (var activation in Enum.GetValues<Activation>())
        {
            var info = ActivationInfo.Of(activation);
            Assert.Equal(activation, info.Activation);
            bool reluLike = activation is Activation.ReLU or Activation.LeakyReLU or Activation.GELU or Activation.SiLU or Activation.ELU or Activation.Softplus;
            Assert.Equal(reluLike, info.HeInitialization);
        }
    }

    [Fact]
    public void BinaryCrossEntropy_IsBCEWithLogits_ExactForSaturatedLogits()
    {
        // z = 200, t = 0: −log(1 − σ(200)) = softplus(200) = 200 (BCELoss on the rounded sigmoid would say 100), and the
        // gradient (o − t)/n = 1/n agrees with it; at z = 0, log 2.
        float[] z = [200f, -200f, 0f], t = [0f, 1f, 1f];
        float[] o = [1f, 0f, 0.5f];
        Assert.Equal((200f + 200f + MathF.Log(2f)) / 3, Losses.Loss<BinaryCrossEntropyLoss>(z, o, t, 0f), 1e-4f);
        var delta = new float[3];
        Losses.Delta<BinaryCrossEntropyLoss>(o, t, delta);
        Assert.Equal([1f / 3, -1f / 3, -0.5f / 3], delta);
    }
}
