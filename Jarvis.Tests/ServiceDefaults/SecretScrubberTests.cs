using System.Reflection;
using Jarvis.ServiceDefaults.Logging;

namespace Jarvis.Tests.ServiceDefaults;

public sealed class SecretScrubberTests
{
    [Theory]
    // From the spec.
    [InlineData("api_key=secret123", "api_key=***")]
    [InlineData("Authorization: Bearer xyz", "Authorization: Bearer ***")]
    [InlineData("\"password\": \"secret\"", "\"password\":\"***\"")]
    // Query strings.
    [InlineData("token=abc123", "token=***")]
    [InlineData("secret=hunter2", "secret=***")]
    [InlineData("apikey=abc", "apikey=***")]
    [InlineData("api-key=abc", "api-key=***")]
    [InlineData("x-api-key=abc", "x-api-key=***")]
    [InlineData("?a=1&access_token=abc&b=2", "?a=1&access_token=***&b=2")]
    [InlineData("GET https://api.example.com/v1/items?api_key=abc&limit=5", "GET https://api.example.com/v1/items?api_key=***&limit=5")]
    [InlineData("#access_token=abc&token_type=bearer", "#access_token=***&token_type=bearer")]
    [InlineData("client_secret=s3cr3t&refresh_token=r3fr3sh", "client_secret=***&refresh_token=***")]
    [InlineData("api_key = abc", "api_key = ***")]
    // Headers.
    [InlineData("X-API-Key: abc123", "X-API-Key: ***")]
    [InlineData("Ocp-Apim-Subscription-Key: abc123", "Ocp-Apim-Subscription-Key: ***")]
    [InlineData("X-Auth-Token: abc123", "X-Auth-Token: ***")]
    [InlineData("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ***")]
    [InlineData("authorization: token ghp_abc123", "authorization: token ***")]
    [InlineData("Proxy-Authorization: abc123", "Proxy-Authorization: ***")]
    // JSON.
    [InlineData("{\"apiKey\":\"abc\",\"user\":\"bob\"}", "{\"apiKey\":\"***\",\"user\":\"bob\"}")]
    [InlineData("{\"token\": 12345}", "{\"token\":\"***\"}")]
    [InlineData("{\"user\":{\"password\":\"a\\\"b\"}}", "{\"user\":{\"password\":\"***\"}}")]
    [InlineData("{\"Authorization\":\"Bearer abc\"}", "{\"Authorization\":\"Bearer ***\"}")]
    [InlineData("{\"client_secret\":\"abc\",\"max_tokens\":512}", "{\"client_secret\":\"***\",\"max_tokens\":512}")]
    // Connection strings.
    [InlineData("Endpoint=http://qdrant:6333;Key=abc123", "Endpoint=http://qdrant:6333;Key=***")]
    [InlineData("Server=db;User ID=sa;Password=p4ss;", "Server=db;User ID=sa;Password=***;")]
    [InlineData("Data Source=db;Uid=sa;Pwd=p4ss", "Data Source=db;Uid=sa;Pwd=***")]
    [InlineData(
        "DefaultEndpointsProtocol=https;AccountName=jarvis;AccountKey=abc123==;EndpointSuffix=core.windows.net",
        "DefaultEndpointsProtocol=https;AccountName=jarvis;AccountKey=***;EndpointSuffix=core.windows.net")]
    [InlineData("password='abc'", "password='***'")]
    [InlineData("Password=\"p;ss\";Server=db", "Password=\"***\";Server=db")]
    // Environment-style names.
    [InlineData("Jarvis__ApiKey=abc", "Jarvis__ApiKey=***")]
    [InlineData("OPENAI_API_KEY=sk-abc123", "OPENAI_API_KEY=***")]
    [InlineData("ConnectionStrings__Db=Host=db;Username=app;Password=p4ss", "ConnectionStrings__Db=Host=db;Username=app;Password=***")]
    // Passwords in URLs.
    [InlineData("http://user:pw@host/", "http://user:***@host/")]
    [InlineData("amqp://guest:guest@rabbit:5672/", "amqp://guest:***@rabbit:5672/")]
    [InlineData("redis://:p4ss@redis:6379", "redis://:***@redis:6379")]
    [InlineData("connecting to postgres://admin:s3cret@db:5432/jarvis", "connecting to postgres://admin:***@db:5432/jarvis")]
    // A bearer token on its own.
    [InlineData("retrying with Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYXJ2aXMifQ.c2ln", "retrying with Bearer ***")]
    // Left alone.
    [InlineData("monkey=banana", "monkey=banana")]
    [InlineData("max_tokens=512", "max_tokens=512")]
    [InlineData("token_count=10", "token_count=10")]
    [InlineData("passwordless=true", "passwordless=true")]
    [InlineData("Bearer of bad news", "Bearer of bad news")]
    [InlineData("Endpoint=http://qdrant:6333", "Endpoint=http://qdrant:6333")]
    [InlineData("userId=alice&limit=5", "userId=alice&limit=5")]
    [InlineData("the api key is missing", "the api key is missing")]
    [InlineData("keyboard=qwerty", "keyboard=qwerty")]
    [InlineData("author=Hugo", "author=Hugo")]
    [InlineData("secretary=Jane", "secretary=Jane")]
    [InlineData("Authorization header missing", "Authorization header missing")]
    [InlineData("{\"prompt_tokens\": 10, \"completion_tokens\": 20}", "{\"prompt_tokens\": 10, \"completion_tokens\": 20}")]
    [InlineData("GET http://memory:8080/api/memories?userId=alice", "GET http://memory:8080/api/memories?userId=alice")]
    [InlineData("", "")]
    public void ScrubReplacesSecretsAndLeavesOtherTextAlone(string input, string expected)
    {
        Assert.Equal(expected, SecretScrubber.Scrub(input));
    }

    [Fact]
    public void ScrubbingTwiceGivesTheSameResultAsScrubbingOnce()
    {
        var inputs = typeof(SecretScrubberTests)
            .GetMethod(nameof(ScrubReplacesSecretsAndLeavesOtherTextAlone))!
            .GetCustomAttributes<InlineDataAttribute>()
            .Select(data => (string)data.Data[0]!)
            .ToList();

        Assert.NotEmpty(inputs);
        Assert.All(inputs, input =>
        {
            var once = SecretScrubber.Scrub(input);
            Assert.Equal(once, SecretScrubber.Scrub(once));
        });
    }

    [Theory]
    [InlineData("api_key", true)]
    [InlineData("Password", true)]
    [InlineData("x-api-key", true)]
    [InlineData("Jarvis__ApiKey", true)]
    [InlineData("access_token", true)]
    [InlineData("client_secret", true)]
    [InlineData("Key", true)]
    [InlineData("userId", false)]
    [InlineData("max_tokens", false)]
    [InlineData("monkey", false)]
    [InlineData("token_count", false)]
    [InlineData("passwordless", false)]
    public void IsSecretNameRecognisesSecretNames(string name, bool expected)
    {
        Assert.Equal(expected, SecretScrubber.IsSecretName(name));
    }

    [Fact]
    public void MaskIsThreeAsterisks()
    {
        Assert.Equal("***", SecretScrubber.Mask);
    }
}
