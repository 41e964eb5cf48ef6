namespace Microsoft.Extensions.Configuration;

/// <summary>Helpers for reading required configuration values with errors that name the key.</summary>
public static class ConfigurationExtensions
{
    /// <summary>Gets the value at <paramref name="key"/> or throws an error that names the missing key.</summary>
    /// <exception cref="InvalidOperationException">The key is missing or empty.</exception>
    public static string GetRequiredValue(this IConfiguration configuration, string key)
    {
        var value = configuration[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            var environmentName = key.Replace(":", "__", StringComparison.Ordinal);
            throw new InvalidOperationException(
                $"Configuration value '{key}' is missing. Set it in appsettings.json or as the environment variable '{environmentName}'.");
        }

        return value;
    }
}
