namespace FixedNet.Generator.Model;

/// <summary>Mirror of <c>FixedNet.Loss</c> (same values).</summary>
internal enum LossKind
{
    MeanSquaredError = 0,
    HalfSquaredError = 1,
    CrossEntropy = 2,
    BinaryCrossEntropy = 3,
    L1 = 4,
    Huber = 5,
}
