using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Security;

/// <summary>
/// Authenticates with the API key (<c>X-API-Key</c>, or <c>Authorization: Bearer</c> as OpenAI clients send it) or a
/// browser token (<c>Authorization: Bearer</c>, or <c>access_token</c> in the query of a WebSocket upgrade). Keys are
/// compared in constant time and never logged; failures are 401 problem details.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<ApiSecurityOptions> security,
    BrowserTokens tokens,
    IProblemDetailsService problemDetails) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The claim saying how the caller authenticated: <c>key</c> or <c>token</c>.</summary>
    public const string MethodClaim = "jarvis:auth";

    /// <summary>The claim identifying the key (a hash prefix, never the key): rate limits partition on it.</summary>
    public const string KeyIdClaim = "jarvis:key";

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Presented(Request);
        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (security.Value.AcceptedKeys.FirstOrDefault(key => Matches(key, presented)) is { } matched)
        {
            return Task.FromResult(Success("key", KeyId(matched)));
        }

        return Task.FromResult(tokens.Validate(presented) is { } keyId
            ? Success("token", keyId)
            : AuthenticateResult.Fail("The API key or token is not valid."));
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var configured = security.Value.AcceptedKeys.Any();
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "API key required",
                Detail = !configured
                    ? "No API key is configured on the server: set Jarvis__ApiKey (the AppHost sets it from its jarvis-api-key parameter)."
                    : Presented(Request) is null
                        ? "Send the API key in the X-API-Key header or as Authorization: Bearer."
                        : "The API key or token is not valid.",
            },
        });
    }

    /// <inheritdoc />
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Not allowed",
                Detail = "This route needs the API key itself, not a browser token.",
            },
        });
    }

    /// <summary>A short id of a key (the start of its SHA-256): safe to log and to partition rate limits on.</summary>
    public static string KeyId(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers["X-API-Key"].FirstOrDefault() is { Length: > 0 } header)
        {
            return header;
        }

        if (request.Headers.Authorization.FirstOrDefault() is { } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        // Only a token may come in a URL: a browser cannot set headers on a WebSocket upgrade.
        return request.Query["access_token"].FirstOrDefault() is { Length: > 0 } token && token.StartsWith("jt1.", StringComparison.Ordinal) ? token : null;
    }

    private static bool Matches(string key, string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    private static AuthenticateResult Success(string method, string keyId)
    {
        var identity = new ClaimsIdentity([new Claim(MethodClaim, method), new Claim(KeyIdClaim, keyId)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
