using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using FixedNet;
using FixedNet.Data;
using FixedNet.Training;

// FixedNet's main sample.
//   dotnet run --project samples/FixedNet.Samples -c Release                    8×8 digits (embedded), 64-64-10
//   dotnet run --project samples/FixedNet.Samples -c Release -- --fashion-mnist  Fashion-MNIST, 784-256-128-10
// Options: --epochs N, --quiet (no progress bar); with --fashion-mnist also --network 784-256-128-10 | 784-128-10
// and --optimizer adam | sgd (sgd: plain SGD through the generated, fused TrainBatch).
bool fashion = args.Contains("--fashion-mnist");
bool quiet = args.Contains("--quiet");
string? epochsText = Option("--epochs");
int? epochs = epochsText is null ? null : int.Parse(epochsText, System.Globalization.CultureInfo.InvariantCulture);
string network = Option("--network") ?? "784-256-128-10";
string optimizer = Option("--optimizer") ?? "adam";
if (network is not ("784-256-128-10" or "784-128-10") || optimizer is not ("adam" or "sgd"))
{
    Console.Error.WriteLine($"Unknown --network '{network}' or --optimizer '{optimizer}': the choices are 784-256-128-10 or 784-128-10, and adam or sgd.");
    return 2;
}

return fashion ? FashionMnist(epochs ?? 12, network, optimizer == "sgd", quiet) : Digits(epochs ?? 40, quiet);

string? Option(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

static int Digits(int epochs, bool quiet)
{
    var all = CsvReader.ReadClassification(Path.Combine(AppContext.BaseDirectory, "digits.csv.gz"), classes: 10, scale: 1f / 16);
    var (train, test) = all.Split(0.8, seed: 1);
    Console.WriteLine($"8×8 digits (UCI optdigits via scikit-learn): {train.Count} training and {test.Count} test samples");
    var net = new DigitsNet();
    net.InitializeParameters(seed: 1);
    Console.Write(DigitsNet.Architecture.Summary());
    var options = new TrainerOptions { Epochs = epochs, BatchSize = 32, Optimizer = new Adam(), LearningRate = LearningRateSchedule.Cosine(0.003f, epochs), Seed = 1 };
    return Train(net, options, train, test, quiet, minimumAccuracy: 0.9f);
}

static int FashionMnist(int epochs, string network, bool sgd, bool quiet)
{
    const string directory = "/usr/share/datasets/fashion-mnist";
    if (!File.Exists(Path.Combine(directory, "train-images-idx3-ubyte.gz")))
    {
        Console.Error.WriteLine($"Fashion-MNIST not found in {directory}; install Debian's package: sudo apt-get install dataset-fashion-mnist");
        return 2;
    }
    var train = IdxReader.ReadDataset(Path.Combine(directory, "train-images-idx3-ubyte.gz"), Path.Combine(directory, "train-labels-idx1-ubyte.gz"), 10);
    var test = IdxReader.ReadDataset(Path.Combine(directory, "t10k-images-idx3-ubyte.gz"), Path.Combine(directory, "t10k-labels-idx1-ubyte.gz"), 10);
    Console.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images");
    // Adam: η from 0.001 down to 0.0001 on a cosine; plain SGD (fused TrainBatch): η from 0.1 down to 0.01.
    var options = new TrainerOptions
    {
        Epochs = epochs, BatchSize = 32, Seed = 1,
        Optimizer = sgd ? null : new Adam(),
        LearningRate = sgd ? LearningRateSchedule.Cosine(0.1f, epochs, 0.01f) : LearningRateSchedule.Cosine(0.001f, epochs, 0.0001f),
    };
    Console.WriteLine($"optimizer: {(sgd ? "plain SGD (the generated TrainBatch)" : "Adam")}, batch {options.BatchSize}");
    if (network == "784-128-10")
    {
        var small = new FashionNetSmall();
        small.InitializeParameters(seed: 1);
        Console.Write(FashionNetSmall.Architecture.Summary());
        return Train(small, options, train, test, quiet, minimumAccuracy: 0.85f);
    }
    var net = new FashionNet();
    net.InitializeParameters(seed: 1);
    Console.Write(FashionNet.Architecture.Summary());
    return Train(net, options, train, test, quiet, minimumAccuracy: 0.88f);
}

static int Train<TNet>(TNet net, TrainerOptions options, Dataset train, Dataset test, bool quiet, float minimumAccuracy) where TNet : INetwork
{
    var bar = new ConsoleProgressBar(redraw: !quiet && !Console.IsOutputRedirected);
    var watch = Stopwatch.StartNew();
    var result = new Trainer<TNet>(net, options).Fit(train, test, bar, bar);
    watch.Stop();
    var evaluation = Trainer<TNet>.Evaluate(net, test);
    double trainingSeconds = result.History.Sum(r => r.Elapsed.TotalSeconds);
    Console.WriteLine($"test accuracy {evaluation.Accuracy:P2}, test loss {evaluation.Loss:F4}");
    Console.WriteLine($"training: {result.History.Count} epochs × {train.Count} samples in {trainingSeconds:F2} s " +
                      $"({result.History.Count * train.Count / trainingSeconds:N0} samples/s, {trainingSeconds / result.History.Count:F3} s per epoch); " +
                      $"{watch.Elapsed.TotalSeconds:F1} s in all with evaluation");
    return evaluation.Accuracy >= minimumAccuracy ? 0 : 1;
}

[Network(64, Loss = Loss.CrossEntropy)]
[Dense(64, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNet;

[Network(784, Loss = Loss.CrossEntropy)]
[Dense(256, Activation.ReLU)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionNet;

[Network(784, Loss = Loss.CrossEntropy)]
[Dense(128, Activation.ReLU)]
[Dense(10, Activation.Softmax)]
public partial class FashionNetSmall;
