using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// A network used by two threads at once: in a Debug build (DEBUG defined, as the SDK's Debug configuration does) the
/// second thread gets InvalidOperationException; a Release build has no check in its code at all.
/// </summary>
public class ConcurrencyGuardTests
{
    private const string Source = """
        using System;
        using System.Threading;
        using FixedNet;
        namespace Demo;
        [Network(64, Loss = Loss.CrossEntropy)] [Dense(64, Activation.Tanh)] [Dense(10, Activation.Softmax)] public partial class Kernels { }
        [Network(2)] [Dense(3, Activation.Tanh)] [Dense(1)] public partial class Unrolled { }
        public static class Probe
        {
            // Two threads call Forward (or TrainBatch) on one instance until one of them throws or 2 s pass; returns the message.
            public static string? Race(string kind)
            {
                INetwork net = kind.StartsWith("Kernels", StringComparison.Ordinal) ? new Kernels() : new Unrolled();
                var x = new float[net.InputSize * 4];
                var t = new float[net.OutputSize * 4];
                var y = new float[net.OutputSize * 4];
                string? message = null;
                var stop = DateTime.UtcNow.AddSeconds(2);
                void Work()
                {
                    try
                    {
                        while (message is null && DateTime.UtcNow < stop)
                        {
                            if (kind.EndsWith("Batch", StringComparison.Ordinal)) net.TrainBatch(x, t, 4, 0.01f);
                            else net.Forward(x.AsSpan(0, net.InputSize), y.AsSpan(0, net.OutputSize));
                        }
                    }
                    catch (InvalidOperationException e) { message = e.Message; }
                }
                var other = new Thread(Work);
                other.Start();
                Work();
                other.Join();
                // the instance is usable again once the other thread has left
                net.Forward(x.AsSpan(0, net.InputSize), y.AsSpan(0, net.OutputSize));
                return message;
            }
        }
        """;

    private static Assembly Build(AssemblyLoadContext context, bool debug)
    {
        var options = GeneratorHarness.ParseOptions.WithPreprocessorSymbols(debug ? new[] { "DEBUG" } : Array.Empty<string>());
        var result = GeneratorHarness.Run(options, Source);
        Assert.Empty(result.FixedNetDiagnostics);
        using var stream = new MemoryStream();
        var emit = result.Output.WithOptions(result.Output.Options.WithOptimizationLevel(debug ? OptimizationLevel.Debug : OptimizationLevel.Release)).Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        stream.Position = 0;
        return context.LoadFromStream(stream);
    }

    [Theory]
    [InlineData("Kernels")]
    [InlineData("KernelsBatch")]
    [InlineData("Unrolled")]
    [InlineData("UnrolledBatch")]
    public void DebugBuild_SecondThreadOnOneInstance_Throws(string kind)
    {
        var context = new AssemblyLoadContext("guard", isCollectible: true);
        try
        {
            var probe = Build(context, debug: true).GetType("Demo.Probe")!;
            var message = (string?)probe.GetMethod("Race")!.Invoke(null, [kind]);
            Assert.NotNull(message);
            Assert.Contains("two threads at once", message, StringComparison.Ordinal);
            Assert.Contains("Clone()", message, StringComparison.Ordinal);
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void ReleaseBuild_HasNoCheck()
    {
        var context = new AssemblyLoadContext("guard", isCollectible: true);
        try
        {
            var assembly = Build(context, debug: false);
            foreach (var name in new[] { "FixedNet.Generated.KernelsCore", "FixedNet.Generated.UnrolledCore" })
                Assert.Null(assembly.GetType(name)!.GetField("_inUse", BindingFlags.NonPublic | BindingFlags.Instance));
        }
        finally
        {
            context.Unload();
        }
        var debugContext = new AssemblyLoadContext("guard-debug", isCollectible: true);
        try
        {
            // the same source in a Debug build does have it
            Assert.NotNull(Build(debugContext, debug: true).GetType("FixedNet.Generated.KernelsCore")!.GetField("_inUse", BindingFlags.NonPublic | BindingFlags.Instance));
        }
        finally
        {
            debugContext.Unload();
        }
    }
}
