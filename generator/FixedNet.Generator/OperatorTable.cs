using FixedNet.Generator.Model;

namespace FixedNet.Generator;

/// <summary>
/// The generator's one table of activations and losses: for each, the runtime operator that holds its math
/// (FixedNet.Operators) and the formulas the generated comments state. Emitters ask this table; they hold no math.
/// </summary>
internal static class OperatorTable
{
    internal const string Operators = ""; // the core has a using of FixedNet.Operators
    internal const string Activations = Operators + "Activations";

    /// <param name="Operator">The operator struct in FixedNet.Operators, or null for Softmax (a row operation, <c>FixedNet.Operators.Softmax</c>).</param>
    /// <param name="Formula">a = f(z), with {a} and {z} for the names.</param>
    /// <param name="Derivative">f′ as the comments state it.</param>
    /// <param name="DerivativeNeedsZ">Mirrors the operator's DerivativeNeedsZ: f′ reads z, so z is kept beside a.</param>
    /// <param name="SparseDelta">δ = 0 for every inactive unit (ReLU): gradient rows of those units can be skipped.</param>
    internal sealed record ActivationEntry(string? Operator, string Formula, string Derivative, bool DerivativeNeedsZ, bool SparseDelta);

    /// <param name="Operator">The loss struct in FixedNet.Operators.</param>
    /// <param name="Formula">L as the comments state it.</param>
    /// <param name="Delta">The output delta as the comments state it.</param>
    /// <param name="DeltaIsFused">Mirrors the operator's DeltaIsFused: the delta is ∂L/∂z already.</param>
    /// <param name="NeedsLogSumExp">Mirrors the operator's NeedsLogSumExp.</param>
    /// <param name="DeltaNeedsTargetSum">Mirrors the operator's DeltaNeedsTargetSum.</param>
    internal sealed record LossEntry(string Operator, string Formula, string Delta, bool DeltaIsFused, bool NeedsLogSumExp, bool DeltaNeedsTargetSum);

    private static readonly ActivationEntry[] s_activations =
    [
        // ActivationKind order.    operator              a = f(z)                                    f′                   needs z  sparse δ
        new("IdentityOperator",     "{a} = {z}",                                  "1",                 false,   false),
        new("SigmoidOperator",      "{a} = 1 / (1 + e^(−{z}))",                   "a(1 − a)",          false,   false),
        new("TanhOperator",         "{a} = tanh {z}",                             "1 − a²",            false,   false),
        new("ReLUOperator",         "{a} = max(0, {z})",                          "a > 0 ? 1 : 0",     false,   true),
        new("LeakyReLUOperator",    "{a} = {z} > 0 ? {z} : 0.01·{z}",             "a > 0 ? 1 : 0.01",  false,   false),
        new(null,                   "{a}_k = e^({z}_k) / Σ_j e^({z}_j)",          "the softmax Jacobian", false, false),
        new("GeluOperator",         "{a} = {z}·Φ({z}) = ½{z}(1 + erf({z}/√2))",   "Φ(z) + z·φ(z)",     true,    false),
        new("SiLUOperator",         "{a} = {z}·σ({z})",                           "σ(z)(1 + z(1 − σ(z)))", true, false),
        new("EluOperator",          "{a} = {z} > 0 ? {z} : e^{z} − 1",            "a > 0 ? 1 : a + 1", false,   false),
        new("SoftplusOperator",     "{a} = {z} > 20 ? {z} : log(1 + e^{z})",      "σ(z) (1 above 20)", true,    false),
    ];

    private static readonly LossEntry[] s_losses =
    [
        // LossKind order.
        new("MeanSquaredErrorLoss", "MeanSquaredError, L = (1/n)·Σ(o − t)²", "g_k = ∂L/∂o_k = 2(o_k − t_k)/n", false, false, false),
        new("HalfSquaredErrorLoss", "HalfSquaredError, L = ½·Σ(o − t)²", "g_k = ∂L/∂o_k = o_k − t_k", false, false, false),
        new("CrossEntropyLoss", "CrossEntropy, L = −Σ t·log o", "softmax and cross-entropy together: δ_k = ∂L/∂z_k = o_k·Σt − t_k (= o_k − t_k for one-hot t)", true, true, true),
        new("BinaryCrossEntropyLoss", "BinaryCrossEntropy, L = −(1/n)·Σ[t·log o + (1 − t)·log(1 − o)]", "sigmoid and binary cross-entropy together: δ_k = ∂L/∂z_k = (o_k − t_k)/n", true, false, false),
        new("L1Loss", "L1, L = (1/n)·Σ|o − t|", "g_k = ∂L/∂o_k = sign(o_k − t_k)/n", false, false, false),
        new("HuberLoss", "Huber, L = (1/n)·Σ h(o − t), h(d) = |d| < 1 ? ½d² : |d| − ½ (δ = 1)", "g_k = ∂L/∂o_k = clamp(o_k − t_k, −1, 1)/n", false, false, false),
    ];

    public static ActivationEntry Of(ActivationKind activation) => s_activations[(int)activation];

    public static LossEntry Of(LossKind loss) => s_losses[(int)loss];

    /// <summary>The number of activations the table knows; <see cref="ActivationKind"/> has exactly these values.</summary>
    public static int ActivationCount => s_activations.Length;

    /// <summary>The number of losses the table knows.</summary>
    public static int LossCount => s_losses.Length;

    public static string Formula(ActivationKind activation, string a = "a", string z = "z") => Of(activation).Formula.Replace("{a}", a).Replace("{z}", z);

    /// <summary>The activation's operator type, as the core names it.</summary>
    public static string OperatorType(ActivationKind activation) => Operators + Of(activation).Operator;

    /// <summary>The loss's operator type, as the core names it.</summary>
    public static string OperatorType(LossKind loss) => Operators + Of(loss).Operator;

    /// <summary>f(<paramref name="z"/>) at the width of <paramref name="z"/>, or null for Identity (and Softmax, which is not element-wise).</summary>
    public static string? Invoke(ActivationKind activation, string z) =>
        activation is ActivationKind.Identity or ActivationKind.Softmax ? null : Activations + ".Invoke<" + OperatorType(activation) + ">(" + z + ")";

    /// <summary>What to pass as z to f′: <paramref name="z"/> where f′ reads it, else <paramref name="a"/> (z may not be kept then).</summary>
    public static string DerivativeZ(ActivationKind activation, string z, string a) => Of(activation).DerivativeNeedsZ ? z : a;

    /// <summary>f′ from <paramref name="z"/> and <paramref name="a"/> at their width, or null for Identity (f′ = 1).</summary>
    public static string? Derivative(ActivationKind activation, string z, string a) =>
        activation == ActivationKind.Identity ? null : Activations + ".Derivative<" + OperatorType(activation) + ">(" + z + ", " + a + ")";
}
