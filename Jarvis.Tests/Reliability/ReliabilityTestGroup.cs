namespace Jarvis.Tests.Reliability;

/// <summary>
/// The load and fault tests run alone, one after another: each measures a service's latency and resident memory, which
/// other tests sharing the 2 cores would skew.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityTestGroup
{
    public const string Name = "Reliability";
}
