namespace Jarvis.Tests.AppHost;

/// <summary>The tests that share one running stack (a collection named "stack").</summary>
[CollectionDefinition(Name)]
public sealed class StackTestGroup : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}
