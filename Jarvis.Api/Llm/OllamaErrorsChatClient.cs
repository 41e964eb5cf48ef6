using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Jarvis.ServiceDefaults.ConnectionStrings;
using Microsoft.Extensions.AI;
using OllamaSharp.Models.Chat;
using OllamaSharp.Models.Exceptions;
using Polly;

namespace Jarvis.Api.Llm;

/// <summary>
/// Turns what OllamaSharp, HttpClient and the resilience pipeline throw into one <see cref="OllamaChatException"/> whose
/// message tells the operator which server and model failed and what to do (pull the model, start Ollama), and whose
/// <see cref="OllamaChatException.Kind"/> the endpoints map to a status or an error event. It also notices a stream that
/// ends without Ollama's final <c>done</c> record (a lost connection, or a mid-stream <c>{"error"}</c> line), which
/// OllamaSharp would end silently, and a stream that goes silent for <paramref name="streamIdleTimeout"/> after it started.
/// </summary>
internal sealed class OllamaErrorsChatClient(IChatClient inner, OllamaConnection connection, TimeSpan streamIdleTimeout) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = ModelOf(options);
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            return await base.GetResponseAsync(messages, options, call.Token);
        }
        catch (Exception e) when (Translate(e, model, streaming: false, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var model = ModelOf(options);
        // A token of this call alone: what CancellableOllamaApiClient registers on it goes with the call, not with a
        // longer-lived token (Kestrel reuses a connection's RequestAborted source from request to request).
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var updates = base.GetStreamingResponseAsync(messages, options, call.Token).GetAsyncEnumerator(call.Token);
        try
        {
            var streaming = false;
            var done = false;
            while (true)
            {
                try
                {
                    // Once the stream has started, headers are in and the resilience pipeline's timeouts are over: a
                    // model that stops sending is bounded here, or it would hold the turn for as long as its client waits.
                    if (streaming)
                    {
                        call.CancelAfter(streamIdleTimeout);
                    }

                    if (!await updates.MoveNextAsync())
                    {
                        break;
                    }

                    call.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                catch (Exception e) when (call.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new OllamaChatException(
                        $"Ollama at {connection.Endpoint} sent nothing of model '{model}' for {streamIdleTimeout.TotalSeconds:0.#} s mid-answer (Jarvis:Llm:StreamIdleTimeout): the stream was given up.",
                        OllamaChatErrorKind.MidStream,
                        model,
                        inner: e);
                }
                catch (Exception e) when (e is not OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    // The caller cancelled, and the response was disposed under the read (CancellableOllamaApiClient).
                    throw new OperationCanceledException("The chat was cancelled.", e, cancellationToken);
                }
                catch (Exception e) when (Translate(e, model, streaming, cancellationToken) is { } failure)
                {
                    throw failure;
                }

                streaming = true;
                if (updates.Current.RawRepresentation is ChatResponseStream { Done: false, Message: null })
                {
                    // Not a chunk: a line that is no chat record (Ollama's mid-stream {"error"}), read as an empty one.
                    continue;
                }

                done |= updates.Current.RawRepresentation is ChatResponseStream { Done: true };
                yield return updates.Current;
            }

            if (!done && !cancellationToken.IsCancellationRequested)
            {
                // Also how a mid-stream {"error": "..."} line ends: OllamaSharp reads it as an empty chunk and stops.
                throw new OllamaChatException(
                    $"Ollama at {connection.Endpoint} stopped streaming model '{model}' before its final record: the model failed mid-answer (Ollama's log says why).",
                    OllamaChatErrorKind.MidStream,
                    model);
            }
        }
        finally
        {
            await updates.DisposeAsync();
        }
    }

    private string ModelOf(ChatOptions? options) => string.IsNullOrWhiteSpace(options?.ModelId) ? connection.Model : options.ModelId;

    /// <summary>The failure to throw instead of <paramref name="e"/>, or null to let it through (a cancellation by the caller).</summary>
    private OllamaChatException? Translate(Exception e, string model, bool streaming, CancellationToken cancellationToken)
    {
        var endpoint = connection.Endpoint;
        return e switch
        {
            OllamaChatException or OperationCanceledException when cancellationToken.IsCancellationRequested => null,
            OllamaChatException => null,
            ModelDoesNotSupportToolsException => new(
                $"The model '{model}' on Ollama at {endpoint} does not support tools: {e.Message}", OllamaChatErrorKind.ToolsNotSupported, model, HttpStatusCode.BadRequest, e.Message, e),
            OllamaException => new(
                $"Ollama at {endpoint} refused a chat request for model '{model}' (400 Bad Request): {e.Message}", OllamaChatErrorKind.ErrorResponse, model, HttpStatusCode.BadRequest, e.Message, e),
            HttpRequestException { StatusCode: HttpStatusCode.NotFound } => new(
                $"Ollama at {endpoint} does not have the model '{model}'. Pull it with 'ollama pull {model}', or configure another model in ConnectionStrings:ollama or {LlmConfiguration.ModelKey}.",
                OllamaChatErrorKind.ModelNotFound, model, HttpStatusCode.NotFound, inner: e),
            HttpRequestException { StatusCode: { } status } => new(
                $"Ollama at {endpoint} answered a chat request for model '{model}' with {(int)status} {status}.", OllamaChatErrorKind.ErrorResponse, model, status, inner: e),
            HttpRequestException or IOException when streaming => new(
                $"The connection to Ollama at {endpoint} was lost while streaming model '{model}' ({Reason(e)}).", OllamaChatErrorKind.MidStream, model, inner: e),
            HttpRequestException or IOException => new(
                $"Ollama is not reachable at {endpoint} ({Reason(e)}). Check that Ollama is running ('ollama serve') and that ConnectionStrings:ollama points to it.",
                OllamaChatErrorKind.Unreachable, model, inner: e),
            ExecutionRejectedException or OperationCanceledException or TimeoutException => new(
                $"Ollama at {endpoint} did not answer a chat request for model '{model}' ({e.Message.TrimEnd('.')}). Check that Ollama is running and not overloaded.",
                OllamaChatErrorKind.Unreachable, model, inner: e),
            JsonException => new(
                $"Ollama at {endpoint} answered a chat request for model '{model}' with a record that is not a chat response ({e.Message}).", OllamaChatErrorKind.InvalidResponse, model, inner: e),
            _ => null,
        };
    }

    private static string Reason(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost == e ? e.Message.TrimEnd('.') : $"{e.Message.TrimEnd('.')}: {innermost.Message.TrimEnd('.')}";
    }
}
