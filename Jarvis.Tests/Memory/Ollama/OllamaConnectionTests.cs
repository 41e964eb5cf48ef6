using Jarvis.ServiceDefaults.ConnectionStrings;

namespace Jarvis.Tests.Memory.Ollama;

/// <summary>The connection string the AppHost injects for an Ollama model, and the errors for malformed ones.</summary>
public sealed class OllamaConnectionTests
{
    [Theory]
    [InlineData("Endpoint=http://localhost:11434;Model=nomic-embed-text", null, "http://localhost:11434/", "nomic-embed-text")]
    [InlineData(" endpoint = http://10.0.0.5:11434/ ; MODEL = all-minilm:33m ; ", null, "http://10.0.0.5:11434/", "all-minilm:33m")]
    [InlineData("Endpoint=https://ollama.example.com/proxy;Model=nomic-embed-text", null, "https://ollama.example.com/proxy/", "nomic-embed-text")]
    [InlineData("Endpoint=http://localhost:11434;Model=from-string", "from-config", "http://localhost:11434/", "from-string")]
    [InlineData("Endpoint=http://localhost:11434", "from-config", "http://localhost:11434/", "from-config")]
    [InlineData("http://localhost:11434", "from-config", "http://localhost:11434/", "from-config")]
    [InlineData("  HTTP://LOCALHOST:11434/  ", "from-config", "http://localhost:11434/", "from-config")]
    public void ValidConnectionStringsGiveTheEndpointAndModel(string connectionString, string? defaultModel, string endpoint, string model)
    {
        var connection = OllamaConnection.Parse(connectionString, defaultModel);

        Assert.Equal(new Uri(endpoint), connection.Endpoint);
        Assert.Equal(model, connection.Model);
        Assert.EndsWith("/", connection.Endpoint.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal($"{endpoint} ({model})", connection.ToString());
    }

    [Fact]
    public void APathPrefixIsKeptSoTheEmbedRouteResolvesUnderIt()
    {
        var connection = OllamaConnection.Parse("Endpoint=http://gateway:8080/ollama;Model=m");

        Assert.Equal(new Uri("http://gateway:8080/ollama/api/embed"), new Uri(connection.Endpoint, "api/embed"));
    }

    [Theory]
    [InlineData(null, null, "is empty")]
    [InlineData("", null, "is empty")]
    [InlineData("   ", null, "is empty")]
    [InlineData("Model=nomic-embed-text", null, "has no Endpoint")]
    [InlineData("Endpoint=;Model=nomic-embed-text", null, "has no Endpoint")]
    [InlineData("Endpoint=localhost:11434;Model=nomic-embed-text", null, "absolute http or https URL")]
    [InlineData("Endpoint=/var/run/ollama;Model=nomic-embed-text", null, "absolute http or https URL")]
    [InlineData("Endpoint=ftp://localhost:11434;Model=nomic-embed-text", null, "absolute http or https URL")]
    [InlineData("Endpoint=not a url;Model=nomic-embed-text", null, "not an absolute URL")]
    [InlineData("Endpoint=http://localhost:11434?x=1;Model=nomic-embed-text", null, "query or fragment")]
    [InlineData("Endpoint=http://localhost:11434;Model=\" \"", "from-config", "Model is empty")]
    [InlineData("Endpoint=http://localhost:11434;Model=", null, "names no Model")]
    [InlineData("Endpoint=http://localhost:11434", null, "names no Model")]
    [InlineData("http://localhost:11434", "  ", "names no Model")]
    [InlineData("Endpoint=http://localhost:11434;Model=m;Colour=red", null, "unknown key 'colour'")]
    [InlineData("Endpoint=\"http://localhost:11434;Model=m", null, "is malformed")]
    [InlineData("Endpoint", null, "is malformed")]
    public void MalformedConnectionStringsAreRejectedWithAClearMessage(string? connectionString, string? defaultModel, string expected)
    {
        var error = Assert.Throws<FormatException>(() => OllamaConnection.Parse(connectionString, defaultModel));

        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Ollama", error.Message, StringComparison.Ordinal);
        Assert.False(OllamaConnection.TryParse(connectionString, defaultModel, out var connection, out var message));
        Assert.Null(connection);
        Assert.Equal(error.Message, message);
    }

    [Theory]
    [InlineData("Endpoint=http://admin:hunter2secret@localhost:11434;Model=m")]
    [InlineData("http://admin:hunter2secret@localhost:11434")]
    public void CredentialsInTheUrlAreRejectedWithoutRepeatingThem(string connectionString)
    {
        var error = Assert.Throws<FormatException>(() => OllamaConnection.Parse(connectionString, "m"));

        Assert.Contains("credentials", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheConstructorValidatesToo()
    {
        Assert.Throws<FormatException>(() => new OllamaConnection(new Uri("ollama", UriKind.Relative), "m"));
        Assert.Throws<FormatException>(() => new OllamaConnection(new Uri("http://localhost:11434"), " "));
        Assert.Equal(new Uri("http://localhost:11434/"), new OllamaConnection(new Uri("http://localhost:11434"), "m").Endpoint);
    }
}
