namespace Jarvis.Tests.Reliability;

/// <summary>
/// A secret shape: <paramref name="Secret"/> is what must never be written anywhere, <paramref name="Text"/> how it
/// shows up in a message, a header, an error or a URL. <paramref name="ByShape"/>: recognisable without a name next to
/// it (a vendor prefix, a JWT, a PEM header), so it is also tried where only the value travels (a URL path, a span
/// attribute). Every value is fake, made for these tests.
/// </summary>
public sealed record SecretShape(string Name, string Secret, string Text, bool ByShape)
{
    public override string ToString() => Name;
}

/// <summary>The corpus: 36 shapes of API keys, tokens, JWTs, connection-string keys, URL passwords and cloud keys.</summary>
public static class SecretCorpus
{
    public static IReadOnlyList<SecretShape> All { get; } =
    [
        // Vendor keys, recognisable by their prefix wherever they stand.
        new("OpenAI project key", "sk-proj-Xq3v9TzL0aB7cD2eF4gH6iJ8kL1mN3oP5qR7sT9uVw", "sk-proj-Xq3v9TzL0aB7cD2eF4gH6iJ8kL1mN3oP5qR7sT9uVw", true),
        new("OpenAI legacy key", "sk-4f8Jk2LmN9pQ1rS3tU5vW7xY0zA2bC4dE6fG8hI0jK2lM4n", "sk-4f8Jk2LmN9pQ1rS3tU5vW7xY0zA2bC4dE6fG8hI0jK2lM4n", true),
        new("Anthropic key", "sk-ant-api03-Zr8Yq7Xp6Wo5Vn4Um3Tl2Sk1Rj0Qi9Ph8Og7Nf6Me5Ld4Kc3Jb2Ia1", "sk-ant-api03-Zr8Yq7Xp6Wo5Vn4Um3Tl2Sk1Rj0Qi9Ph8Og7Nf6Me5Ld4Kc3Jb2Ia1", true),
        new("GitHub classic token", "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngOnly12345", "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngOnly12345", true),
        new("GitHub fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW", true),
        new("GitHub OAuth token", "gho_9z8y7x6w5v4u3t2s1r0qPONMLKJIHGFEDCba", "gho_9z8y7x6w5v4u3t2s1r0qPONMLKJIHGFEDCba", true),
        new("GitHub app token", "ghs_Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0KkLlMm", "ghs_Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0KkLlMm", true),
        new("GitLab token", "glpat-x9Y8z7W6v5U4t3S2r1Q0", "glpat-x9Y8z7W6v5U4t3S2r1Q0", true),
        new("AWS access key id", "AKIAJ7Q4XZ2LMN8RT5WV", "AKIAJ7Q4XZ2LMN8RT5WV", true),
        new("AWS temporary key id", "ASIAY3KQ7PL2MX9NB4VC", "ASIAY3KQ7PL2MX9NB4VC", true),
        new("Google API key", "AIzaSyD4fk3Q9xTz7LmP2nR8sV5wY1bC6dE0gH3", "AIzaSyD4fk3Q9xTz7LmP2nR8sV5wY1bC6dE0gH3", true),
        new("Google OAuth client secret", "GOCSPX-3fK9pLm2Qr7sTu1VwXy5Za8bCd", "GOCSPX-3fK9pLm2Qr7sTu1VwXy5Za8bCd", true),
        new("Slack bot token", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", true),
        new("Slack user token", "xoxp-210987654321-3210987654321-ZyXwVuTsRqPoNmLkJiHgFeDc", "xoxp-210987654321-3210987654321-ZyXwVuTsRqPoNmLkJiHgFeDc", true),
        new("Slack webhook", "T0FAKE0001/B0FAKE0002/XyZ0123456789AbCdEfGhIjK", "https://hooks.slack.com/services/T0FAKE0001/B0FAKE0002/XyZ0123456789AbCdEfGhIjK", true),
        new("Stripe live key", "sk_live_51HfakeKeyAbCdEfGhIjKlMnOp", "sk_live_51HfakeKeyAbCdEfGhIjKlMnOp", true),
        new("Stripe restricted key", "rk_live_51HfakeRestrictedQrStUvWx", "rk_live_51HfakeRestrictedQrStUvWx", true),
        new("SendGrid key", "SG.fakeSendGridKey0123.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "SG.fakeSendGridKey0123.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", true),
        new("npm token", "npm_FakeNpmToken0123456789AbCdEfGhIjKlMn", "npm_FakeNpmToken0123456789AbCdEfGhIjKlMn", true),
        new("Hugging Face token", "hf_FakeHuggingFaceToken0123456789AbCd", "hf_FakeHuggingFaceToken0123456789AbCd", true),
        new("DigitalOcean token", "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true),
        new("JWT", "eyJzdWIiOiJqYXJ2aXMtdXNlci00MiIsIm5hbWUiOiJUZXN0In0.c2lnbmF0dXJlLWZha2UtMDEyMzQ1Njc4OQ",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJqYXJ2aXMtdXNlci00MiIsIm5hbWUiOiJUZXN0In0.c2lnbmF0dXJlLWZha2UtMDEyMzQ1Njc4OQ", true),
        new("PEM private key", "MIIEowIBAAKCAQEAfakePemBodyLine0123456789AbCdEf",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAfakePemBodyLine0123456789AbCdEf\nZmFrZSBwZW0gYm9keSBsaW5lIHR3bw==\n-----END RSA PRIVATE KEY-----", true),

        // Secrets recognisable by the name written next to them.
        new("Bearer token", "opaqueBearer0123456789AbCdEfGh", "Authorization: Bearer opaqueBearer0123456789AbCdEfGh", false),
        new("Basic credentials", "amFydmlzOmh1bnRlcjItZmFrZQ==", "Authorization: Basic amFydmlzOmh1bnRlcjItZmFrZQ==", false),
        new("X-API-Key header", "xapikey-fake-0123456789abcdef", "X-API-Key: xapikey-fake-0123456789abcdef", false),
        new("api_key query", "querykey0123456789fake", "GET https://api.example.com/v1/items?api_key=querykey0123456789fake&limit=5", false),
        new("JSON client secret", "jsonClientSecret-0123456789-fake", "{\"client_id\":\"jarvis\",\"client_secret\":\"jsonClientSecret-0123456789-fake\"}", false),
        new("AWS secret access key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY0123", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY0123", false),
        new("AWS session token", "IQoJb3JpZ2luX2VjEFAKEsessionTOKEN0123456789", "aws_session_token=IQoJb3JpZ2luX2VjEFAKEsessionTOKEN0123456789", false),
        new("Azure storage account key", "FakeAzureAccountKey0123456789AbCdEfGh+/==",
            "DefaultEndpointsProtocol=https;AccountName=jarvis;AccountKey=FakeAzureAccountKey0123456789AbCdEfGh+/==;EndpointSuffix=core.windows.net", false),
        new("Azure SAS signature", "FakeSasSignature0123456789AbCdEf%3D", "https://jarvis.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=FakeSasSignature0123456789AbCdEf%3D", false),
        new("SQL Server password", "Sql-P4ss-fake-0123", "Server=db;Database=jarvis;User Id=sa;Password=Sql-P4ss-fake-0123;", false),
        new("Qdrant connection key", "qdrant-key-fake-0123456789", "Endpoint=http://qdrant:6333;Key=qdrant-key-fake-0123456789", false),
        new("Postgres URL password", "Pg-p4ss-fake-0123", "postgres://jarvis:Pg-p4ss-fake-0123@db:5432/jarvis", false),
        new("HTTPS URL password", "url-pass-fake-0123", "https://admin:url-pass-fake-0123@example.com/hooks", false),
    ];
}
