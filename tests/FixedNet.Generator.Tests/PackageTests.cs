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
public class PackageTests
{
    [Fact]
    [Trait("Category", "Package")]
    public void PackedPackage_CarriesTheGenerator_AndTrainsANetwork()
    {
        string root = RepositoryRoot();
        string work = Directory.CreateTempSubdirectory("fixednet-pack-").FullName;
        try
        {
            // Pack a copy of the sources, so this test never touches the build outputs of the running test.
            string copy = Path.Combine(work, "repo");
            foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "README.md" })
            {
                Directory.CreateDirectory(copy);
                File.Copy(Path.Combine(root, file), Path.Combine(copy, file));
            }
            CopyProject(Path.Combine(root, "src", "FixedNet"), Path.Combine(copy, "src", "FixedNet"));
            CopyProject(Path.Combine(root, "generator", "FixedNet.Generator"), Path.Combine(copy, "generator", "FixedNet.Generator"));

            string version = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff") + Environment.ProcessId;
            string feed = Path.Combine(work, "feed");
            Run(copy, "pack", "src/FixedNet/FixedNet.csproj", "-c", "Release", "-o", feed, "-p:Version=" + version);

            string package = Directory.GetFiles(feed, "*.nupkg").Single();
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToArray();
                Assert.Contains("analyzers/dotnet/cs/FixedNet.Generator.dll", entries);
                Assert.Contains("lib/net10.0/FixedNet.dll", entries);
                Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.EndsWith("FixedNet.Generator.dll", StringComparison.Ordinal));
            }

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
                return loss < 0.01f ? 0 : 1;

                [Network(2, Loss = Loss.BinaryCrossEntropy)]
                [Dense(4, Activation.Tanh)]
                [Dense(1, Activation.Sigmoid)]
                partial class Xor;
                """);
            string output = Run(consumer, "run", "-c", "Release");
            Assert.Contains("trained 17 parameters to loss 0.00", output);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
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
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{stdout}\n{stderr.Result}");
        return stdout;
    }

    private static string RepositoryRoot([CallerFilePath] string file = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));
}
