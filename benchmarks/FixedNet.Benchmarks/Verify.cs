using System;
using System.Linq;

namespace FixedNet.Benchmarks;

/// <summary>
/// <c>--verify</c>: before trusting timings on a new machine, check that every benchmarked generated network computes
/// what the reference engine computes there (forward, a batch-32 forward, one SGD step, one batch-32 step), with the kernels this machine runs.
/// </summary>
public static class Verify
{
    public static int Run()
    {
        var random = new Random(5);
        bool ok = true;
        foreach (string shape in Shapes.Names.Concat(Shapes.HandWritten).Concat(Shapes.ActivationKinds).Distinct())
        {
            var net = Shapes.CreateGenerated(shape);
            net.InitializeParameters(3);
            var reference = new ReferenceNetwork(net.Architecture, ReferenceKernel.Scalar);
            net.Parameters.CopyTo(reference.Parameters);
            const int batch = 32;
            var x = Enumerable.Range(0, batch * net.InputSize).Select(_ => (float)random.NextDouble()).ToArray();
            var t = new float[batch * net.OutputSize];
            for (int s = 0; s < batch; s++) t[s * net.OutputSize + random.Next(net.OutputSize)] = 1;

            var expected = new float[net.OutputSize];
            var actual = new float[net.OutputSize];
            reference.Forward(x.AsSpan(0, net.InputSize), expected);
            net.Forward(x.AsSpan(0, net.InputSize), actual);
            double forward = MaxDifference(expected, actual);
            var expectedBatch = new float[batch * net.OutputSize];
            var actualBatch = new float[batch * net.OutputSize];
            ((INetwork)reference).ForwardBatch(x, expectedBatch, batch);
            net.ForwardBatch(x, actualBatch, batch);
            double forwardBatch = MaxDifference(expectedBatch, actualBatch);
            float l1 = reference.TrainStep(x.AsSpan(0, net.InputSize), t.AsSpan(0, net.OutputSize), 0.05f);
            float l2 = net.TrainStep(x.AsSpan(0, net.InputSize), t.AsSpan(0, net.OutputSize), 0.05f);
            double step = Math.Max(Math.Abs(l1 - l2), MaxDifference(reference.Parameters, net.Parameters));
            l1 = reference.TrainBatch(x, t, batch, 0.05f);
            l2 = net.TrainBatch(x, t, batch, 0.05f);
            double batchStep = Math.Max(Math.Abs(l1 - l2), MaxDifference(reference.Parameters, net.Parameters));
            bool pass = forward <= 1e-5 && forwardBatch <= 1e-5 && step <= 1e-5 && batchStep <= 1e-5;
            string hand = string.Empty;
            if (Shapes.HandWritten.Contains(shape))
            {
                // the hand-written reference from the same parameters: its forward and one SGD step against the reference engine's
                var handWritten = new HandWrittenMlp(net);
                reference.Parameters.Clear();
                net.Parameters.CopyTo(reference.Parameters);
                handWritten.Forward(x.AsSpan(0, net.InputSize), actual);
                reference.Forward(x.AsSpan(0, net.InputSize), expected);
                double handForward = MaxDifference(expected, actual);
                l1 = reference.TrainStep(x.AsSpan(0, net.InputSize), t.AsSpan(0, net.OutputSize), 0.05f);
                l2 = handWritten.TrainStep(x.AsSpan(0, net.InputSize), t.AsSpan(0, net.OutputSize), 0.05f);
                reference.Forward(x.AsSpan(net.InputSize, net.InputSize), expected);
                handWritten.Forward(x.AsSpan(net.InputSize, net.InputSize), actual);
                double handStep = Math.Max(Math.Abs(l1 - l2), MaxDifference(expected, actual));
                pass &= handForward <= 1e-5 && handStep <= 1e-5;
                hand = $"  hand-written forward {handForward:E1}  step {handStep:E1}";
            }
            ok &= pass;
            Console.WriteLine($"{shape,-19} forward {forward:E1}  batch-32 forward {forwardBatch:E1}  step {step:E1}  batch-32 step {batchStep:E1}{hand}  {(pass ? "ok" : "MISMATCH")}");
        }
        return ok ? 0 : 1;
    }

    private static double MaxDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }
}
