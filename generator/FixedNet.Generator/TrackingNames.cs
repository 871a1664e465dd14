namespace FixedNet.Generator;

/// <summary>Names of pipeline steps, used by the incremental-caching tests.</summary>
internal static class TrackingNames
{
    public const string ParseNetworks = nameof(ParseNetworks);
    public const string NetworkModels = nameof(NetworkModels);
    public const string NetworkDiagnostics = nameof(NetworkDiagnostics);
    public const string OrphanLayers = nameof(OrphanLayers);
    public const string HintNames = nameof(HintNames);
    public const string WeightFiles = nameof(WeightFiles);
    public const string BakedNetworks = nameof(BakedNetworks);
    public const string BakedModels = nameof(BakedModels);
}
