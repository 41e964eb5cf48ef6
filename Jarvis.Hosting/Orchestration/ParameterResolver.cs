using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.UserSecrets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Jarvis.Hosting.Orchestration;

/// <summary>
/// Gives every parameter its run-mode value: from configuration (<c>Parameters:NAME</c>, <c>ConnectionStrings:NAME</c>),
/// else, for a generated one, a new random value saved to the app host's user secrets so the next run reuses it.
/// </summary>
public sealed partial class ParameterResolver(
    IConfiguration configuration,
    IOptions<OrchestratorOptions> options,
    AppHostInfo appHost,
    ILogger<ParameterResolver> logger)
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string Specials = "-_.~!@#%^*";

    /// <summary>Resolves every parameter, or fails naming the first one without a value.</summary>
    public void Resolve(IEnumerable<ParameterResource> parameters)
    {
        var generated = new Dictionary<string, string>();
        foreach (var parameter in parameters)
        {
            if (configuration[parameter.ConfigurationKey] is { } value)
            {
                parameter.Value = value;
            }
            else if (parameter.Generate is { } rule)
            {
                parameter.Value = GenerateValue(rule);
                generated[parameter.ConfigurationKey] = parameter.Value;
            }
            else
            {
                throw new DistributedApplicationException($"Parameter '{parameter.Name}' has no value: set '{parameter.ConfigurationKey}' in the app host's configuration (user secrets, appsettings.json or the environment variable '{parameter.ConfigurationKey.Replace(":", "__", StringComparison.Ordinal)}').");
            }
        }

        if (generated.Count > 0 && options.Value.PersistGeneratedParameters)
        {
            Save(generated);
        }
    }

    internal static string GenerateValue(GenerateParameterDefault rule)
    {
        var alphabet = rule.Special ? Alphabet + Specials : Alphabet;
        return RandomNumberGenerator.GetString(alphabet, rule.MinLength);
    }

    private void Save(Dictionary<string, string> generated)
    {
        var id = appHost.Assembly.GetCustomAttribute<UserSecretsIdAttribute>()?.UserSecretsId;
        if (id is null)
        {
            LogNotSaved(logger, generated.Keys);
            return;
        }

        // The same file `dotnet user-secrets set` writes: a flat JSON object of configuration keys.
        var path = PathHelper.GetSecretsPathFromSecretsId(id);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var secrets = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? [] : [];
        foreach (var (key, value) in generated)
        {
            secrets[key] = value;
        }

        File.WriteAllText(path, secrets.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        LogSaved(logger, generated.Keys, path);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Generated {Keys} and saved them to the user secrets at {Path}.")]
    private static partial void LogSaved(ILogger logger, IEnumerable<string> keys, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated {Keys} for this run only: the app host has no UserSecretsId to save them under.")]
    private static partial void LogNotSaved(ILogger logger, IEnumerable<string> keys);
}
