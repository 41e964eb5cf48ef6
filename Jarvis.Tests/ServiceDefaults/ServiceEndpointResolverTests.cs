using Jarvis.ServiceDefaults.ServiceDiscovery;
using Microsoft.Extensions.Configuration;

namespace Jarvis.Tests.ServiceDefaults;

public sealed class ServiceEndpointResolverTests
{
    [Fact]
    public void ResolvesHttpFromTheFirstNumberedEntry()
    {
        var resolver = CreateResolver(new() { ["services:memory:http:0"] = "http://10.0.0.5:8080" });

        var resolved = resolver.Resolve(new Uri("http://memory/api/memories"));

        Assert.Equal(new Uri("http://10.0.0.5:8080/api/memories"), resolved);
    }

    [Fact]
    public void ResolvesASingleValueSection()
    {
        var resolver = CreateResolver(new() { ["services:memory:http"] = "http://10.0.0.5:8080" });

        var resolved = resolver.Resolve(new Uri("http://memory/api/memories"));

        Assert.Equal(new Uri("http://10.0.0.5:8080/api/memories"), resolved);
    }

    [Fact]
    public void HttpsPlusHttpPrefersHttpsWhenBothAreConfigured()
    {
        var resolver = CreateResolver(new()
        {
            ["services:memory:http:0"] = "http://10.0.0.5:8080",
            ["services:memory:https:0"] = "https://10.0.0.5:8443",
        });

        var resolved = resolver.Resolve(new Uri("https+http://memory/api/memories"));

        Assert.Equal(new Uri("https://10.0.0.5:8443/api/memories"), resolved);
    }

    [Fact]
    public void HttpsPlusHttpFallsBackToHttpWhenOnlyHttpIsConfigured()
    {
        var resolver = CreateResolver(new() { ["services:memory:http:0"] = "http://10.0.0.5:8080" });

        var resolved = resolver.Resolve(new Uri("https+http://memory/api/memories"));

        Assert.Equal(new Uri("http://10.0.0.5:8080/api/memories"), resolved);
    }

    [Fact]
    public void DefaultSectionIsUsedBeforeTheSchemeSections()
    {
        var resolver = CreateResolver(new()
        {
            ["services:memory:default:0"] = "http://10.0.0.9:9000",
            ["services:memory:http:0"] = "http://10.0.0.5:8080",
            ["services:memory:https:0"] = "https://10.0.0.5:8443",
        });

        var resolved = resolver.Resolve(new Uri("https+http://memory/api/memories"));

        Assert.Equal(new Uri("http://10.0.0.9:9000/api/memories"), resolved);
    }

    [Theory]
    [InlineData("http://_grpc.memory/jarvis.Memory/Search")]
    [InlineData("https+http://_grpc.memory/jarvis.Memory/Search")]
    public void UnderscorePrefixedHostReadsTheNamedEndpoint(string url)
    {
        var resolver = CreateResolver(new()
        {
            ["services:memory:http:0"] = "http://10.0.0.5:8080",
            ["services:memory:grpc:0"] = "http://10.0.0.5:9090",
        });

        var resolved = resolver.Resolve(new Uri(url));

        Assert.Equal(new Uri("http://10.0.0.5:9090/jarvis.Memory/Search"), resolved);
    }

    [Fact]
    public void HostAndPortValueTakesTheSchemeFromTheUri()
    {
        var resolver = CreateResolver(new() { ["services:memory:http:0"] = "10.0.0.5:8080" });

        var resolved = resolver.Resolve(new Uri("http://memory/api/memories"));

        Assert.Equal(new Uri("http://10.0.0.5:8080/api/memories"), resolved);
    }

    [Fact]
    public void HostAndPortValueTakesTheFirstSchemeOfACompositeScheme()
    {
        var resolver = CreateResolver(new() { ["services:memory:http:0"] = "10.0.0.5:8080" });

        var resolved = resolver.Resolve(new Uri("https+http://memory/api/memories"));

        Assert.Equal(new Uri("https://10.0.0.5:8080/api/memories"), resolved);
    }

    [Fact]
    public void SeveralEndpointsAreUsedInTurn()
    {
        var resolver = CreateResolver(new()
        {
            ["services:memory:http:0"] = "http://10.0.0.1:8080",
            ["services:memory:http:1"] = "http://10.0.0.2:8080",
        });
        var uri = new Uri("http://memory/api/memories");

        var hosts = Enumerable.Range(0, 4).Select(_ => resolver.Resolve(uri).Host).ToList();

        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2"], hosts);
    }

    [Fact]
    public void EndpointBasePathIsPrefixedToTheRequestPath()
    {
        var resolver = CreateResolver(new() { ["services:memory:http:0"] = "http://10.0.0.1:80/base" });

        var resolved = resolver.Resolve(new Uri("http://memory/api/x"));

        Assert.Equal(new Uri("http://10.0.0.1/base/api/x"), resolved);
        Assert.Equal("/base/api/x", resolved.AbsolutePath);
    }

    [Fact]
    public void QueryStringIsPreserved()
    {
        var resolver = CreateResolver(new() { ["services:memory:http:0"] = "http://10.0.0.5:8080" });

        var resolved = resolver.Resolve(new Uri("http://memory/api/memories?userId=alice&limit=5"));

        Assert.Equal(new Uri("http://10.0.0.5:8080/api/memories?userId=alice&limit=5"), resolved);
        Assert.Equal("?userId=alice&limit=5", resolved.Query);
    }

    [Fact]
    public void UnconfiguredServiceThrowsWithTheKeysAndEnvironmentVariable()
    {
        var resolver = CreateResolver([]);

        var exception = Assert.Throws<ServiceResolutionException>(() => resolver.Resolve(new Uri("http://memory/api/memories")));

        Assert.Equal("memory", exception.ServiceName);
        Assert.Equal(["services:memory:default", "services:memory:http"], exception.Keys);
        Assert.Contains("services:memory:http", exception.Message, StringComparison.Ordinal);
        Assert.Contains("services__memory__http__0", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnconfiguredServiceWithCompositeSchemeNamesEveryKeyLookedFor()
    {
        var resolver = CreateResolver(new() { ["services:voice:http:0"] = "http://10.0.0.5:8080" });

        var exception = Assert.Throws<ServiceResolutionException>(() => resolver.Resolve(new Uri("https+http://memory/")));

        Assert.Contains("services:memory:default", exception.Message, StringComparison.Ordinal);
        Assert.Contains("services:memory:https", exception.Message, StringComparison.Ordinal);
        Assert.Contains("services:memory:http", exception.Message, StringComparison.Ordinal);
        Assert.Contains("services__memory__http__0", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:5000/api/memories")]
    [InlineData("http://127.0.0.1:5000/api/memories")]
    [InlineData("https://example.com/api/memories?q=1")]
    [InlineData("http://[::1]:5000/api/memories")]
    public void HostsThatAreNotServiceNamesPassThroughUnchanged(string url)
    {
        var resolver = CreateResolver(new() { ["services:memory:http:0"] = "http://10.0.0.5:8080" });
        var uri = new Uri(url);

        Assert.False(ServiceEndpointResolver.IsServiceUri(uri));
        Assert.Same(uri, resolver.Resolve(uri));
    }

    [Theory]
    [InlineData("http://memory/", true)]
    [InlineData("https+http://memory/", true)]
    [InlineData("http://localhost/", false)]
    [InlineData("http://10.0.0.5/", false)]
    [InlineData("http://jarvis.example.com/", false)]
    public void IsServiceUriTellsServiceNamesFromHosts(string url, bool expected)
    {
        Assert.Equal(expected, ServiceEndpointResolver.IsServiceUri(new Uri(url)));
    }

    [Fact]
    public void InvalidConfiguredValueThrowsNamingTheKey()
    {
        var resolver = CreateResolver(new() { ["services:memory:http:0"] = "not a url" });

        var exception = Assert.Throws<InvalidOperationException>(() => resolver.Resolve(new Uri("http://memory/api/memories")));

        Assert.Contains("services:memory:http:0", exception.Message, StringComparison.Ordinal);
    }

    private static ServiceEndpointResolver CreateResolver(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceEndpointResolver(configuration);
    }
}
