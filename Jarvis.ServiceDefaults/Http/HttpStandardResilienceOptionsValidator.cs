using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Jarvis.ServiceDefaults.Http;

/// <summary>
/// Validates every client's standard resilience options as <c>AddStandardResilienceHandler()</c> would: the library's
/// two rules between strategies (its validator is internal), and Polly's and the library's checks of each strategy,
/// run by composing the pipeline on a builder that is never built.
/// </summary>
internal sealed class HttpStandardResilienceOptionsValidator : IValidateOptions<HttpStandardResilienceOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpStandardResilienceOptions options)
    {
        var failures = new List<string>();
        if (options.AttemptTimeout.Timeout > options.TotalRequestTimeout.Timeout)
        {
            failures.Add(
                $"TotalRequestTimeout:Timeout ({options.TotalRequestTimeout.Timeout}) must not be shorter than AttemptTimeout:Timeout ({options.AttemptTimeout.Timeout}).");
        }

        if (options.CircuitBreaker.SamplingDuration < options.AttemptTimeout.Timeout * 2)
        {
            failures.Add(
                $"CircuitBreaker:SamplingDuration ({options.CircuitBreaker.SamplingDuration}) must be at least twice AttemptTimeout:Timeout ({options.AttemptTimeout.Timeout}).");
        }

        try
        {
            new ResiliencePipelineBuilder<HttpResponseMessage>().AddStandardStrategies(options);
        }
        catch (ValidationException exception)
        {
            failures.Add(exception.Message.ReplaceLineEndings(" ").TrimEnd());
        }

        var client = HttpResilienceConfigureOptions.ClientName(name) is { Length: > 0 } clientName ? $"HTTP client '{clientName}'" : "every HTTP client";
        return failures.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failures.Select(failure => $"{HttpResilienceConfigureOptions.SectionName} ({client}): {failure}"));
    }
}
