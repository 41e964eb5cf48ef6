namespace Jarvis.Api.Quotas;

/// <summary>Registers <see cref="TokenQuota"/>.</summary>
public static class QuotaExtensions
{
    /// <summary>Registers the token counter and the per-user daily budgets of <c>Jarvis:Quotas</c>, validated on start.</summary>
    public static IHostApplicationBuilder AddTokenQuotas(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<QuotaOptions>().BindConfiguration("Jarvis:Quotas").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TokenQuota>();
        return builder;
    }
}
