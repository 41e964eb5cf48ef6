using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Jarvis.Api.Security;

/// <summary>The Api's security: API-key authentication, browser tokens, rate limits, CORS for configured origins only.</summary>
public static class ApiSecurityExtensions
{
    /// <summary>The CORS policy name.</summary>
    public const string CorsPolicy = "configured-origins";

    /// <summary>Registers authentication, authorization, browser tokens, rate limits and CORS.</summary>
    public static IHostApplicationBuilder AddApiSecurity(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ApiSecurityOptions>().BindConfiguration("Jarvis").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<BrowserTokens>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(KeyOnlyPolicy, policy => policy.RequireClaim(ApiKeyAuthenticationHandler.MethodClaim, "key"));
        builder.Services.AddJarvisRateLimits();
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<ApiSecurityOptions>>((cors, security) =>
            cors.AddPolicy(CorsPolicy, policy => policy
                .WithOrigins([.. security.Value.CorsOrigins])
                .WithHeaders("Content-Type", "X-API-Key", "Authorization", "X-Request-ID")
                .WithMethods("GET", "POST", "DELETE")));
        return builder;
    }

    /// <summary>The authorization policy of routes that need the key itself (minting tokens), not a token.</summary>
    public const string KeyOnlyPolicy = "api-key-only";

    /// <summary>Maps <c>POST /api/tokens</c>: a short-lived token for a browser, in exchange for the key.</summary>
    public static IEndpointRouteBuilder MapBrowserTokens(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/tokens", (HttpContext context, BrowserTokens tokens) =>
        {
            var (token, expiresAt) = tokens.Issue(context.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)!.Value);
            return TypedResults.Ok(new BrowserTokenResponse(token, expiresAt));
        }).RequireAuthorization(KeyOnlyPolicy).WithTags("Auth").WithSummary("Exchange the API key for a short-lived browser token.");
        return app;
    }
}

/// <summary>A browser token and when it expires.</summary>
public sealed record BrowserTokenResponse(string Token, DateTimeOffset ExpiresAt);
