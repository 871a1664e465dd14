using System;
using System.Collections.Generic;
using FixedNet;
using TorchSharp;
using static TorchSharp.torch;

namespace FixedNet.Benchmarks;

/// <summary>TorchSharp (LibTorch) as a peer engine, if its native library loads on this machine.</summary>
public static class TorchAvailability
{
    private static readonly Lazy<string?> Failure = new(() =>
    {
        try
        {
            using var probe = torch.ones(1);
            return null;
        }
        catch (Exception e)
        {
            var inner = e;
            while (inner.InnerException is not null) inner = inner.InnerException;
            string cause = LibStdCxxLacks("GLIBCXX_3.4.32")
                ? "the system libstdc++ lacks GLIBCXX_3.4.32, which LibTorch 2.10 (TorchSharp-cpu 0.107.0) needs (Debian 12 ships up to 3.4.30)"
                : "its native library did not load";
            string message = inner.Message.Split('\n')[0].Trim();
            return $"{cause}; {e.GetType().Name}: {message}";
        }
    });

    private static bool LibStdCxxLacks(string version)
    {
        foreach (var path in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" })
        {
            if (!System.IO.File.Exists(path)) continue;
            var bytes = System.IO.File.ReadAllBytes(path);
            return System.Text.Encoding.ASCII.GetString(bytes).IndexOf(version, StringComparison.Ordinal) < 0;
        }
        return false;
    }

    /// <summary>Null when TorchSharp works, else why not.</summary>
    public static string? WhyNot => Failure.Value;
}

/// <summary>The same MLP in TorchSharp: Linear layers, activations, cross-entropy, plain SGD; one intra-op thread.</summary>
public sealed class TorchEngine : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _input;
    private readonly Tensor _target;

    public TorchEngine(NetworkArchitecture architecture, int batch, float learningRate)
    {
        torch.set_num_threads(1);
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int l = 0; l < architecture.Layers.Count; l++)
        {
            var layer = architecture.Layers[l];
            modules.Add(($"linear{l}", nn.Linear(layer.Inputs, layer.Size)));
            switch (layer.Activation)
            {
                case Activation.Sigmoid: modules.Add(($"act{l}", nn.Sigmoid())); break;
                case Activation.Tanh: modules.Add(($"act{l}", nn.Tanh())); break;
                case Activation.ReLU: modules.Add(($"act{l}", nn.ReLU())); break;
                case Activation.LeakyReLU: modules.Add(($"act{l}", nn.LeakyReLU(0.01))); break;
                case Activation.GELU: modules.Add(($"act{l}", nn.GELU())); break;
                case Activation.SiLU: modules.Add(($"act{l}", nn.SiLU())); break;
                case Activation.ELU: modules.Add(($"act{l}", nn.ELU())); break;
                case Activation.Softplus: modules.Add(($"act{l}", nn.Softplus())); break;
            }
        }
        _model = nn.Sequential(modules);
        _optimizer = optim.SGD(_model.parameters(), learningRate);
        _input = torch.rand(batch, architecture.InputSize);
        _target = torch.zeros(batch, dtype: ScalarType.Int64);
    }

    /// <summary>One SGD step on the preallocated batch; cross-entropy on the logits (softmax is inside the loss, as PyTorch does it).</summary>
    public float TrainStep()
    {
        using var scope = torch.NewDisposeScope();
        _optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(_model.forward(_input), _target);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    public void Forward()
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        _model.forward(_input);
    }

    public void Dispose()
    {
        _input.Dispose();
        _target.Dispose();
        _model.Dispose();
    }
}
