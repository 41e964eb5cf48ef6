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
    // Credentials recognised by their shape, with nothing naming them (the vendor's prefix is kept).
    [InlineData("using sk-proj-Xq3v9TzL0aB7cD2eF4gH6iJ8kL1mN3oP5q now", "using sk-proj-*** now")]
    [InlineData("sk-ant-api03-Zr8Yq7Xp6Wo5Vn4Um3Tl2Sk1Rj0Qi9Ph8Og7", "sk-ant-api03-***")]
    [InlineData("push with ghp_R4nd0mT0k3nV4lu3F0rT3st1ngOnly12345 failed", "push with ghp_*** failed")]
    [InlineData("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_***")]
    [InlineData("glpat-x9Y8z7W6v5U4t3S2r1Q0", "glpat-***")]
    [InlineData("AccessKeyId AKIAJ7Q4XZ2LMN8RT5WV denied", "AccessKeyId AKIA*** denied")]
    [InlineData("key=AIzaSyD4fk3Q9xTz7LmP2nR8sV5wY1bC6dE0gH3", "key=***")]
    [InlineData("maps AIzaSyD4fk3Q9xTz7LmP2nR8sV5wY1bC6dE0gH3", "maps AIza***")]
    [InlineData("GOCSPX-3fK9pLm2Qr7sTu1VwXy5Za8bCd", "GOCSPX-***")]
    [InlineData("xoxb-123456789012-1234567890123-AbCdEfGhIjKl", "xoxb-***")]
    [InlineData("posting to https://hooks.slack.com/services/T0FAKE0001/B0FAKE0002/XyZ0123456789", "posting to https://hooks.slack.com/services/***")]
    [InlineData("charge with sk_live_51HfakeKeyAbCdEfGhIjKlMnOp", "charge with sk_live_***")]
    [InlineData("SG.fakeSendGridKey0123.AbCdEfGhIjKlMnOpQrStUv", "SG.***")]
    [InlineData("npm_FakeNpmToken0123456789AbCdEfGhIjKlMn hf_FakeHuggingFaceToken0123456789AbCd", "npm_*** hf_***")]
    [InlineData("id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYXJ2aXMifQ.c2lnbmF0dXJl end", "id eyJ*** end")]
    [InlineData("ws?x=jt1.1767225600.abcdef012345.c2lnbmF0dXJl", "ws?x=jt1.***")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- done", "-----BEGIN RSA PRIVATE KEY-----*** done")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq (cut", "-----BEGIN PRIVATE KEY-----***")]
    [InlineData("https://a.blob.core.windows.net/c?sv=2022-11-02&sig=AbC%2Bdef%3D", "https://a.blob.core.windows.net/c?sv=2022-11-02&sig=***")]
    [InlineData("X-Amz-Signature=abc123def", "X-Amz-Signature=***")]
    // Left alone.
    [InlineData("pip install sk-learn; task-runner", "pip install sk-learn; task-runner")]
    [InlineData("hf_model=small ghp_short AKIA eyJhbGciOi", "hf_model=small ghp_short AKIA eyJhbGciOi")]
    [InlineData("travelling in Asia; msg.length", "travelling in Asia; msg.length")]
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
    [InlineData("sig", true)]
    [InlineData("X-Amz-Signature", true)]
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
