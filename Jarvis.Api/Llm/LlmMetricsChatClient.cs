using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Jarvis.Api.Llm;

/// <summary>
/// Records <c>llm_generate_seconds</c> and <c>llm_time_to_first_token_seconds</c> for each request to the model, the
/// seed metrics <c>UseOpenTelemetry()</c>'s GenAI instruments do not cover. A generation the caller abandons, or that
/// fails, is not a generation: only its GenAI span and operation duration say so.
/// </summary>
internal sealed class LlmMetricsChatClient(IChatClient inner, LlmTelemetry telemetry, string provider) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        telemetry.GenerateDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Tags(options, response.ModelId));
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var firstToken = false;
        string? responseModel = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            responseModel ??= update.ModelId;
            if (!firstToken && (update.Text.Length > 0 || update.Contents.Any(content => content is FunctionCallContent)))
            {
                firstToken = true;
                telemetry.TimeToFirstToken.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Tags(options, responseModel));
            }

            yield return update;
        }

        telemetry.GenerateDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, Tags(options, responseModel));
    }

    private TagList Tags(ChatOptions? options, string? responseModel)
    {
        var tags = new TagList { { "gen_ai.provider.name", provider } };
        if ((options?.ModelId ?? (GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId) is { } requestModel)
        {
            tags.Add("gen_ai.request.model", requestModel);
        }

        if (responseModel is not null)
        {
            tags.Add("gen_ai.response.model", responseModel);
        }

        return tags;
    }
}
