using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// The samples as a reader runs them: <c>--help</c> on each explains and trains nothing; the tutorial sample names its
/// tutorial and agrees with every value; the main sample holds out validation and test sets, prints the confusion
/// matrix, and saves, reloads and uses the model. They run from the solution's build of the samples.
/// </summary>
public class SampleTests
{
    [Theory]
    [InlineData("FixedNet.Samples", "--fashion-mnist")]
    [InlineData("FixedNet.Samples.Tutorial", "No options")]
    [InlineData("FixedNet.Samples.Xor", "No options")]
    [InlineData("FixedNet.Samples.Baked", "no option")]
    public void Help_Explains_AndTrainsNothing(string sample, string mentions)
    {
        var (exitCode, output) = RunSample(sample, "--help");
        Assert.Equal(0, exitCode);
        Assert.Contains(mentions, output);
        Assert.DoesNotMatch(@"(?m)^epoch\s+\d+/", output);
        Assert.DoesNotContain("xor 1 =", output);
        Assert.DoesNotContain("FixedNet    0.", output);
    }

    [Fact]
    public void Tutorial_NamesItsSource_AndAgreesWithEveryValue()
    {
        // 7 forward values, 8 gradients, 8 updated weights
        var (exitCode, output) = RunSample("FixedNet.Samples.Tutorial");
        Assert.Equal(0, exitCode);
        Assert.Contains("shared/seeds/004", output);
        Assert.Equal(23, Regex.Matches(output, @"\bagrees$", RegexOptions.Multiline).Count);
        Assert.DoesNotContain("DIFFERS", output);
    }

    [Fact]
    public void MainSample_HoldsOutValidationAndTest_PrintsTheConfusionMatrix_AndReloadsTheModel()
    {
        var (exitCode, output) = RunSample("FixedNet.Samples", "--quiet", "--epochs", "5");
        Assert.True(exitCode is 0 or 1, output); // 1: below the 90 % bar after 5 epochs
        Assert.Matches(@"(\d+) training, (\d+) validation and (\d+) test samples", output);
        Assert.Contains("validation loss", output);
        // the table's rows, its box-drawing borders read as spaces: class, ten counts, accuracy
        var rows = Regex.Matches(output.Replace('│', ' '), @"^\s*\d\s+(?:\d+\s+){10}\s*[\d.]+ %\s*$", RegexOptions.Multiline);
        Assert.Equal(10, rows.Count);
        // every test sample is counted once in the matrix
        var counts = rows.Select(r => r.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(10).Sum(int.Parse)).Sum();
        Assert.Equal(int.Parse(Regex.Match(output, @"(\d+) test samples").Groups[1].Value), counts);
        // the training curves: a 900 × 500 PNG
        var plot = Regex.Match(output, @"training curves \(loss and validation accuracy per epoch\): (\S+\.png)");
        Assert.True(plot.Success, output);
        byte[] png = File.ReadAllBytes(plot.Groups[1].Value);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10 }, png[..8]);
        Assert.Equal((900, 500), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
        var saved = Regex.Match(output, @"saved to (\S+\.safetensors)");
        Assert.True(saved.Success, output);
        Assert.True(File.Exists(saved.Groups[1].Value));
        Assert.Matches(@"loaded into a new DigitsNet: test sample 0 is '\d', predicted '\d'", output);
    }

    [Fact]
    public void BakedSample_ClassifiesTheMainSamplesTestSet_AsTheFileLoadedAtRunTimeDoes()
    {
        var (exitCode, output) = RunSample("FixedNet.Samples.Baked");
        Assert.True(exitCode == 0, output);
        Assert.Matches(@"test accuracy (9\d\.\d\d) % \((\d+) of 359\)", output);
        var difference = Regex.Match(output, @"largest difference from the file loaded at run time: (\S+)");
        Assert.True(difference.Success, output);
        Assert.InRange(double.Parse(difference.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0, 1e-5);
        var torch = Regex.Match(output, @"baked from models/torch_mlp_4_8_5_3.onnx: largest difference from PyTorch's outputs (\S+) \(5 inputs\)");
        Assert.True(torch.Success, output);
        Assert.InRange(double.Parse(torch.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0, 1e-5);
    }

    private static (int ExitCode, string Output) RunSample(string sample, params string[] arguments)
    {
        // the test assembly's own configuration (bin/Release/net10.0 or bin/Debug/net10.0)
        string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        string dll = Path.Combine(RepositoryRoot(), "samples", sample, "bin", configuration, "net10.0", sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution (dotnet test FixedNet.sln builds the samples too)");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), sample + " timed out");
        return (process.ExitCode, output + error.Result);
    }

    private static string RepositoryRoot() => GeneratorHarness.RepositoryRoot();
}
