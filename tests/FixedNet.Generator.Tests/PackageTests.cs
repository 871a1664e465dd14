using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace FixedNet.Generator.Tests;

/// <summary>
/// `dotnet pack` of src/FixedNet gives one package that carries the generator; a fresh project that references only
/// that package (from a local folder) generates and trains a network.
/// </summary>
public class PackageTests(PackageTests.PackedConsumer packed) : IClassFixture<PackageTests.PackedConsumer>
{
    /// <summary>
    /// The package is packed and its consumer written once for the tests of this class (they run one after the other),
    /// lazily, so that a packing failure is reported by the test that needed it; the folder goes when they are done.
    /// </summary>
    public sealed class PackedConsumer : IDisposable
    {
        private readonly string _work = Directory.CreateTempSubdirectory("fixednet-pack-").FullName;
        private readonly Lazy<string> _consumer;

        public PackedConsumer() => _consumer = new(() => PackAndWriteConsumer(_work));

        public string Work => _work;

        public string Consumer => _consumer.Value;

        public void Dispose()
        {
            try { Directory.Delete(_work, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    [Trait("Category", "Package")]
    public void PackedPackage_CarriesTheGenerator_AndTrainsANetwork_AndBakesWeights()
    {
        string output = Run(packed.Consumer, "run", "-c", "Release");
        Assert.Contains("trained 17 parameters to loss 0.00", output);
        Assert.Contains("onnx round trip: same outputs", output);
        AssertBakedOutput(output);
    }

    // The 2-4-1 network the consumer bakes, and its output for (0.5, −1) computed here from the same parameters.
    private static readonly Lazy<ReferenceNetwork> FrozenReference = new(() =>
    {
        var net = new ReferenceNetwork(new NetworkArchitecture(2, [(4, Activation.Tanh), (1, Activation.Sigmoid)], Loss.MeanSquaredError));
        net.InitializeParameters(3);
        return net;
    });

    private static void AssertBakedOutput(string output)
    {
        var y = new float[1];
        FrozenReference.Value.Forward([0.5f, -1f], y);
        var printed = System.Text.RegularExpressions.Regex.Match(output, @"baked output (\S+)");
        Assert.True(printed.Success, output);
        float baked = float.Parse(printed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(baked - y[0]) <= 1e-6f, $"the baked network gives {baked}, the same parameters at run time {y[0]}");
    }

    // SourceLink: the library's PDB (the one the symbols package carries) maps its sources to the repository's URL at
    // the commit that was built, so a debugger steps into FixedNet's code. Skipped outside a git checkout.
    [SkippableFact]
    public void LibraryPdb_MapsTheSources_ToTheRepositoryAtTheBuiltCommit()
    {
        Skip.IfNot(Directory.Exists(Path.Combine(RepositoryRoot(), ".git")), "not a git checkout: SourceLink has no commit to point at");
        string pdb = Path.ChangeExtension(typeof(NetworkAttribute).Assembly.Location, ".pdb");
        using var stream = File.OpenRead(pdb);
        using var provider = System.Reflection.Metadata.MetadataReaderProvider.FromPortablePdbStream(stream);
        var reader = provider.GetMetadataReader();
        var sourceLink = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A"); // the SourceLink custom debug information
        string? json = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation)
            .Where(info => reader.GetGuid(info.Kind) == sourceLink)
            .Select(info => System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(info.Value))).SingleOrDefault();
        Assert.NotNull(json);
        string url = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryRoot(), "Directory.Build.props")).Descendants("RepositoryUrl").Single().Value;
        Assert.Matches("https://raw\\.githubusercontent\\.com/" + url["https://github.com/".Length..].Replace(".", "\\.") + "/[0-9a-f]{40}/\\*", json);
    }

    // IsAotCompatible and IsTrimmable are set on the library: a Native AOT publish of a consumer of the package gives
    // no trim or AOT warning (IL2xxx, IL3xxx) and the native program trains. Skipped, saying why, where the ILCompiler
    // package cannot be restored.
    [SkippableFact]
    [Trait("Category", "Package")]
    public void PackedPackage_PublishesWithNativeAot_WithoutWarnings_AndTrains()
    {
        string native = Path.Combine(packed.Work, "native");
        var (exitCode, output) = TryRun(packed.Consumer, "publish", "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", native);
        Skip.If(exitCode != 0 && output.Contains("ILCompiler", StringComparison.Ordinal) && output.Contains("NU1", StringComparison.Ordinal),
            "the ILCompiler package could not be restored here:\n" + output);
        Assert.True(exitCode == 0, "dotnet publish -p:PublishAot=true failed:\n" + output);
        Assert.DoesNotMatch(@"warning IL[23]\d{3}", output);
        var start = new ProcessStartInfo(Path.Combine(native, "Consumer")) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        string printed = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("trained 17 parameters to loss 0.00", printed);
        Assert.Contains("onnx round trip: same outputs", printed);
        AssertBakedOutput(printed);
    }

    // Packs a copy of the sources into a local feed, checks the package's contents, and writes a console project that
    // references only that package; returns the project's folder.
    private static string PackAndWriteConsumer(string work)
    {
        string root = RepositoryRoot();
        // Pack a copy of the sources, so this test never touches the build outputs of the running test.
        string copy = Path.Combine(work, "repo");
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "README.md", "LICENSE",
            Path.Combine("docs", "package-readme.md"), Path.Combine("docs", "package-readme-onnx.md") })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, file))!);
            File.Copy(Path.Combine(root, file), Path.Combine(copy, file));
        }
        CopyProject(Path.Combine(root, "src", "FixedNet"), Path.Combine(copy, "src", "FixedNet"));
        CopyProject(Path.Combine(root, "src", "FixedNet.Onnx"), Path.Combine(copy, "src", "FixedNet.Onnx"));
        CopyProject(Path.Combine(root, "generator", "FixedNet.Generator"), Path.Combine(copy, "generator", "FixedNet.Generator"));
        CopyProject(Path.Combine(root, "generator", "FixedNet.CodeFixes"), Path.Combine(copy, "generator", "FixedNet.CodeFixes"));

        string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff") + Environment.ProcessId;
        string feed = Path.Combine(work, "feed");
        Run(copy, "pack", "src/FixedNet/FixedNet.csproj", "-c", "Release", "-o", feed, "-p:Version=" + version);
        Run(copy, "pack", "src/FixedNet.Onnx/FixedNet.Onnx.csproj", "-c", "Release", "-o", feed, "-p:Version=" + version);

        string package = Path.Combine(feed, "FixedNet." + version + ".nupkg");
        Assert.Equal(2, Directory.GetFiles(feed, "*.snupkg").Length); // symbols beside each
        using (var zip = ZipFile.OpenRead(package))
        {
            // the core package depends on nothing but the BCL and System.Numerics.Tensors (ONNX and its protobuf are FixedNet.Onnx's)
            Assert.Equal(["System.Numerics.Tensors"], Dependencies(zip));
            var entries = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("analyzers/dotnet/cs/FixedNet.Generator.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/FixedNet.CodeFixes.dll", entries);
            Assert.Contains("lib/net10.0/FixedNet.dll", entries);
            Assert.Contains("LICENSE", entries);
            Assert.Contains("buildTransitive/FixedNet.targets", entries); // the build step behind baked weights
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith("FixedNet.Generator.dll", StringComparison.Ordinal));
            // the package page shows the short user README, not the contributor README
            using var readme = new StreamReader(zip.GetEntry("README.md")!.Open());
            Assert.Equal(File.ReadAllText(Path.Combine(root, "docs", "package-readme.md")), readme.ReadToEnd());
        }

        using (var zip = ZipFile.OpenRead(Path.Combine(feed, "FixedNet.Onnx." + version + ".nupkg")))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToArray();
            Assert.Contains("lib/net10.0/FixedNet.Onnx.dll", entries);
            Assert.Contains("LICENSE", entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal));
            Assert.Equal(["FixedNet", "Google.Protobuf"], Dependencies(zip));
            using var readme = new StreamReader(zip.GetEntry("README.md")!.Open());
            Assert.Equal(File.ReadAllText(Path.Combine(root, "docs", "package-readme-onnx.md")), readme.ReadToEnd());
        }

        // Packing into the artifacts layout finds the generator where that build put it.
        string artifacts = Path.Combine(work, "artifacts");
        Run(copy, "pack", "src/FixedNet/FixedNet.csproj", "-c", "Release", "--artifacts-path", artifacts, "-p:Version=" + version);
        using (var zip = ZipFile.OpenRead(Directory.GetFiles(artifacts, "*.nupkg", SearchOption.AllDirectories).Single()))
            Assert.Contains("analyzers/dotnet/cs/FixedNet.Generator.dll", zip.Entries.Select(e => e.FullName));

        string consumer = Path.Combine(work, "consumer");
        Directory.CreateDirectory(consumer);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="FixedNet" Version="{version}" />
                <PackageReference Include="FixedNet.Onnx" Version="{version}" />
                <FixedNetWeights Include="models/frozen.safetensors" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
            using System;
            using FixedNet;

            var net = new Xor();
            net.InitializeParameters(1);
            float[][] x = [[0, 0], [0, 1], [1, 0], [1, 1]];
            float[][] t = [[0], [1], [1], [0]];
            float loss = 1;
            for (int epoch = 0; epoch < 5000 && loss >= 0.01f; epoch++)
            {
                loss = 0;
                for (int s = 0; s < 4; s++) loss += net.TrainStep(x[s], t[s], 0.5f) / 4;
            }
            Console.WriteLine($"trained {Xor.ParameterCount} parameters to loss {loss:F4}");
            var y = new float[1];
            Frozen.Forward([0.5f, -1f], y);
            Console.WriteLine($"baked output {y[0]:R}");
            // FixedNet.Onnx: the trained network through an ONNX model and back gives the same outputs
            var copy = new Xor();
            FixedNet.Interop.Onnx.ImportParameters(copy, FixedNet.Interop.Onnx.Export(net));
            var a = new float[1];
            var b = new float[1];
            bool same = true;
            foreach (var input in x) { net.Forward(input, a); copy.Forward(input, b); same &= a[0] == b[0]; }
            Console.WriteLine(same ? "onnx round trip: same outputs" : "onnx round trip: DIFFERENT outputs");
            return loss < 0.01f && same ? 0 : 1;

            [Network(2, Loss = Loss.BinaryCrossEntropy)]
            [Dense(4, Activation.Tanh)]
            [Dense(1, Activation.Sigmoid)]
            partial class Xor;

            [Network(2, Weights = "models/frozen.safetensors", Frozen = true)]
            [Dense(4, Activation.Tanh)]
            [Dense(1, Activation.Sigmoid)]
            static partial class Frozen;
            """);
        // the weights the frozen network bakes in: a 2-4-1 network's, initialized from seed 3 and saved by the runtime
        Directory.CreateDirectory(Path.Combine(consumer, "models"));
        Serialization.Safetensors.Save(FrozenReference.Value, Path.Combine(consumer, "models", "frozen.safetensors"));
        return consumer;
    }

    // The ids of the package's dependencies, from its .nuspec.
    private static string[] Dependencies(ZipArchive zip)
    {
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return [.. System.Xml.Linq.XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => e.Attribute("id")!.Value).Distinct().OrderBy(id => id, StringComparer.Ordinal)];
    }

    private static void CopyProject(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            if (relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
            string target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string Run(string directory, params string[] arguments)
    {
        var (exitCode, output) = TryRun(directory, arguments);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({exitCode}):\n{output}");
        return output;
    }

    private static (int ExitCode, string Output) TryRun(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.ArgumentList.Add("-nodeReuse:false");
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBuildSDKsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "dotnet " + string.Join(' ', arguments) + " timed out");
        return (process.ExitCode, process.ExitCode == 0 ? stdout : stdout + "\n" + stderr.Result);
    }

    private static string RepositoryRoot() => GeneratorHarness.RepositoryRoot();
}
