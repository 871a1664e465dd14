using System;
using System.Reflection;
using FixedNet.Generator.Model;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// The generator's one table (OperatorTable) against the runtime it writes calls into: one line per enum value, each
/// naming an operator that exists, and what the generator assumes of it (whether f′ reads z, whether a loss's delta is
/// fused, needs Σt or the log-sum-exp) equal to what the operator says of itself.
/// </summary>
public class OperatorTableTests
{
    private static readonly Assembly Runtime = typeof(FixedNet.Activation).Assembly;

    private static object? Static(Type type, string property) => type.GetProperty(property, BindingFlags.Public | BindingFlags.Static)!.GetValue(null);

    [Fact]
    public void EveryActivation_HasALine_ThatAgreesWithItsOperator()
    {
        var values = Enum.GetValues<FixedNet.Activation>();
        Assert.Equal(values.Length, OperatorTable.ActivationCount);
        Assert.Equal(values.Length, Enum.GetValues<ActivationKind>().Length);
        foreach (var activation in values)
        {
            var kind = (ActivationKind)(int)activation;
            Assert.Equal(activation.ToString(), kind.ToString());
            var entry = OperatorTable.Of(kind);
            if (activation == FixedNet.Activation.Softmax)
            {
                Assert.Null(entry.Operator);
                continue;
            }
            var type = Runtime.GetType("FixedNet.Operators." + entry.Operator, throwOnError: true)!;
            Assert.True(type.IsAssignableTo(typeof(FixedNet.Operators.IActivationOperator)), entry.Operator);
            Assert.Equal(Static(type, "DerivativeNeedsZ"), entry.DerivativeNeedsZ);
            Assert.Equal(activation == FixedNet.Activation.ReLU, entry.SparseDelta);
        }
    }

    [Fact]
    public void EveryLoss_HasALine_ThatAgreesWithItsOperator()
    {
        var values = Enum.GetValues<FixedNet.Loss>();
        Assert.Equal(values.Length, OperatorTable.LossCount);
        foreach (var loss in values)
        {
            var kind = (LossKind)(int)loss;
            Assert.Equal(loss.ToString(), kind.ToString());
            var entry = OperatorTable.Of(kind);
            var type = Runtime.GetType("FixedNet.Operators." + entry.Operator, throwOnError: true)!;
            Assert.True(type.IsAssignableTo(typeof(FixedNet.Operators.ILossOperator)), entry.Operator);
            Assert.Equal(Static(type, "DeltaIsFused"), entry.DeltaIsFused);
            Assert.Equal(Static(type, "NeedsLogSumExp"), entry.NeedsLogSumExp);
            Assert.Equal(Static(type, "DeltaNeedsTargetSum"), entry.DeltaNeedsTargetSum);
            Assert.StartsWith(loss + ", L = ", entry.Formula);
        }
    }
}
