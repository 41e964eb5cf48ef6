using Microsoft.Extensions.Options;

namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>Validates every client's options; the default client's at start-up, a named client's when it is first created.</summary>
internal sealed class HttpResilienceOptionsValidator : IValidateOptions<HttpResilienceOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpResilienceOptions options)
    {
        var problems = options.Validate().ToList();
        if (problems.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var client = string.IsNullOrEmpty(name) ? "every HTTP client" : $"HTTP client '{name}'";
        return ValidateOptionsResult.Fail(problems.Select(problem => $"{HttpResilienceOptions.SectionName} ({client}): {problem}"));
    }
}
