namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>Identifies an instrument: the resource that sent it, its meter and its name.</summary>
internal sealed record InstrumentKey(ResourceKey Resource, string Meter, string Name);

/// <summary>An instrument's description as last received, and its series by dimension values.</summary>
internal sealed class InstrumentData(InstrumentKey key)
{
    public InstrumentKey Key { get; } = key;

    public string? Description { get; set; }

    public string? Unit { get; set; }

    public string Type { get; set; } = "";

    public SortedSet<string> DimensionKeys { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SeriesData> Series { get; } = new(StringComparer.Ordinal);
}

/// <summary>The points of one combination of dimension values, oldest first.</summary>
internal sealed class SeriesData(InstrumentData instrument, string key, IReadOnlyList<Attribute> dimensions)
{
    public InstrumentData Instrument { get; } = instrument;

    public string Key { get; } = key;

    public IReadOnlyList<Attribute> Dimensions { get; } = dimensions;

    public Queue<StoredPoint> Points { get; } = new();

    /// <summary>The key of a combination of dimension values, whatever their order.</summary>
    public static string KeyOf(IReadOnlyList<Attribute> dimensions) =>
        string.Join('\u001f', dimensions.Select(d => $"{d.Key}\u001e{d.Value}").Order(StringComparer.Ordinal));
}
