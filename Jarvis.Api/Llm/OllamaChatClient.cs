using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Jarvis.ServiceDefaults.ConnectionStrings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace Jarvis.Api.Llm;

/// <summary>
/// An <see cref="IChatClient"/> over Ollama's <c>POST /api/chat</c>: non-streamed answers, streamed NDJSON tokens (a final
/// update carries the usage and finish reason), options, <c>keep_alive</c> and tool calls. The <see cref="HttpClient"/>
/// is a typed client: its resilience pipeline may retry until the response headers arrive, never after the first token.
/// Each call is a <c>chat {model}</c> span with GenAI attributes and is measured by <see cref="LlmTelemetry"/>.
/// </summary>
public sealed partial class OllamaChatClient : IChatClient
{
    /// <summary>The provider name in metadata and in <c>gen_ai.system</c>.</summary>
    public const string ProviderName = "ollama";

    /// <summary>The <c>ChatOptions.AdditionalProperties</c> key of a call's <c>keep_alive</c>.</summary>
    public const string KeepAliveProperty = "keep_alive";

    private const string ChatPath = "api/chat";
    private const int MaxQuotedBodyChars = 300;

    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    // The body is not HTML: accents and apostrophes go as they are, as Ollama's own clients send them.
    private static readonly JsonSerializerOptions s_requestJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpClient _http;
    private readonly OllamaConnection _connection;
    private readonly LlmTelemetry? _telemetry;
    private readonly ILogger _logger;
    private readonly OllamaChatClientOptions _options;
    private readonly Uri _chatUri;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates the client for <paramref name="connection"/>'s server and model.</summary>
    public OllamaChatClient(
        HttpClient http,
        OllamaConnection connection,
        LlmTelemetry? telemetry = null,
        ILogger<OllamaChatClient>? logger = null,
        OllamaChatClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(connection);
        _http = http;
        _connection = connection;
        _telemetry = telemetry;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _options = options ?? new OllamaChatClientOptions();
        _chatUri = new Uri(connection.Endpoint, ChatPath);
        _metadata = new ChatClientMetadata(ProviderName, connection.Endpoint, connection.Model);
    }

    /// <summary>The server and default model.</summary>
    public OllamaConnection Connection => _connection;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = ModelFor(options);
        using var call = new Call(this, model, options, streaming: false);
        try
        {
            var body = BuildRequest(messages, options, model, stream: false);
            using var response = await SendAsync(body, model, cancellationToken);
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                throw new OllamaChatException($"The connection to Ollama at {_connection.Endpoint} was lost while reading the answer of model '{model}': {e.Message}", OllamaChatErrorKind.MidStream, model, inner: e);
            }

            var record = ParseRecord(text, model);
            if (record.Error is { } error)
            {
                throw new OllamaChatException($"Ollama at {_connection.Endpoint} failed to answer with model '{model}': {error}", OllamaChatErrorKind.ErrorResponse, model, response.StatusCode, error);
            }

            var contents = new List<AIContent>();
            AddMessageContents(record.Message, contents);
            var usage = UsageOf(record);
            var message = new ChatMessage(ChatRole.Assistant, contents)
            {
                MessageId = NewId(),
                RawRepresentation = record,
            };
            var finishReason = FinishReasonOf(record.DoneReason, contents.OfType<FunctionCallContent>().Any());
            var chatResponse = new ChatResponse(message)
            {
                ModelId = record.Model ?? model,
                CreatedAt = CreatedAtOf(record.CreatedAt),
                FinishReason = finishReason,
                Usage = usage,
                RawRepresentation = record,
            };
            call.Completed(record.Model ?? model, usage, finishReason);
            return chatResponse;
        }
        catch (Exception e)
        {
            call.Failed(e);
            throw;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = ModelFor(options);
        using var call = new Call(this, model, options, streaming: true);
        HttpResponseMessage? response = null;
        StreamReader? reader = null;
        try
        {
            response = await call.Guard(SendAsync(BuildRequest(messages, options, model, stream: true), model, cancellationToken));
            reader = new StreamReader(await call.Guard(ReadStreamAsync(response, model, cancellationToken)), Encoding.UTF8);
            var messageId = NewId();
            var sawToolCall = false;
            while (true)
            {
                var line = await call.Guard(ReadLineAsync(reader, model, cancellationToken));
                if (line is null)
                {
                    throw call.Fail(new OllamaChatException($"Ollama at {_connection.Endpoint} ended the stream of model '{model}' without its final record.", OllamaChatErrorKind.MidStream, model));
                }

                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var record = call.Guard(() => ParseRecord(line, model));
                if (record.Error is { } error)
                {
                    throw call.Fail(new OllamaChatException($"Ollama at {_connection.Endpoint} failed while streaming model '{model}': {error}", OllamaChatErrorKind.MidStream, model, HttpStatusCode.OK, error));
                }

                var contents = new List<AIContent>();
                AddMessageContents(record.Message, contents);
                sawToolCall |= contents.OfType<FunctionCallContent>().Any();
                var createdAt = CreatedAtOf(record.CreatedAt);
                if (!record.Done)
                {
                    if (contents.Count == 0)
                    {
                        continue;
                    }

                    call.FirstToken();
                    yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
                    {
                        MessageId = messageId,
                        ModelId = record.Model ?? model,
                        CreatedAt = createdAt,
                        RawRepresentation = record,
                    };
                    continue;
                }

                var usage = UsageOf(record);
                if (usage is not null)
                {
                    contents.Add(new UsageContent(usage));
                }

                var finishReason = FinishReasonOf(record.DoneReason, sawToolCall);
                call.Completed(record.Model ?? model, usage, finishReason);
                yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
                {
                    MessageId = messageId,
                    ModelId = record.Model ?? model,
                    CreatedAt = createdAt,
                    FinishReason = finishReason,
                    RawRepresentation = record,
                };
                yield break;
            }
        }
        finally
        {
            reader?.Dispose();
            response?.Dispose();
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType == typeof(OllamaConnection))
        {
            return _connection;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Nothing to release: the typed client's handlers belong to IHttpClientFactory.</summary>
    public void Dispose()
    {
    }

    private string ModelFor(ChatOptions? options) =>
        string.IsNullOrWhiteSpace(options?.ModelId) ? _connection.Model : options.ModelId.Trim();

    // The request body, in the order of the spec: model, messages, tools, stream, format, options, keep_alive.
    internal byte[] BuildRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = BuildMessages(messages),
        };

        if (options?.Tools is { Count: > 0 } tools && options.ToolMode is not NoneChatToolMode)
        {
            var array = new JsonArray();
            foreach (var tool in tools.OfType<AIFunctionDeclaration>())
            {
                var function = new JsonObject { ["name"] = tool.Name };
                if (!string.IsNullOrEmpty(tool.Description))
                {
                    function["description"] = tool.Description;
                }

                function["parameters"] = JsonNode.Parse(tool.JsonSchema.GetRawText());
                array.Add(new JsonObject { ["type"] = "function", ["function"] = function });
            }

            if (array.Count > 0)
            {
                body["tools"] = array;
            }
        }

        body["stream"] = stream;

        switch (options?.ResponseFormat)
        {
            case ChatResponseFormatJson { Schema: { } schema }:
                body["format"] = JsonNode.Parse(schema.GetRawText());
                break;
            case ChatResponseFormatJson:
                body["format"] = "json";
                break;
        }

        var modelOptions = new JsonObject();
        if (options is not null)
        {
            AddOption(modelOptions, "temperature", options.Temperature);
            AddOption(modelOptions, "top_p", options.TopP);
            AddOption(modelOptions, "top_k", options.TopK);
            AddOption(modelOptions, "num_predict", options.MaxOutputTokens);
            if (options.StopSequences is { Count: > 0 } stop)
            {
                modelOptions["stop"] = new JsonArray([.. stop.Select(s => JsonValue.Create(s))]);
            }

            AddOption(modelOptions, "seed", options.Seed);
            AddOption(modelOptions, "frequency_penalty", options.FrequencyPenalty);
            AddOption(modelOptions, "presence_penalty", options.PresencePenalty);
            if (options.AdditionalProperties is { } extra)
            {
                foreach (var (key, value) in extra)
                {
                    if (key != KeepAliveProperty && !modelOptions.ContainsKey(key))
                    {
                        modelOptions[key] = ToNode(value);
                    }
                }
            }
        }

        if (modelOptions.Count > 0)
        {
            body["options"] = modelOptions;
        }

        var keepAlive = options?.AdditionalProperties is { } properties && properties.TryGetValue(KeepAliveProperty, out var callKeepAlive) && callKeepAlive is not null
            ? ToNode(callKeepAlive)
            : _options.KeepAlive is { } defaultKeepAlive ? JsonValue.Create(defaultKeepAlive) : null;
        if (keepAlive is not null)
        {
            body["keep_alive"] = keepAlive;
        }

        return Encoding.UTF8.GetBytes(body.ToJsonString(s_requestJson));
    }

    private static JsonArray BuildMessages(IEnumerable<ChatMessage> messages)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        // A tool result names only its call; Ollama wants the tool's name, which the call carried.
        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in list)
        {
            foreach (var call in message.Contents.OfType<FunctionCallContent>())
            {
                toolNames[call.CallId] = call.Name;
            }
        }

        var array = new JsonArray();
        foreach (var message in list)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            var results = message.Contents.OfType<FunctionResultContent>().ToList();
            foreach (var result in results)
            {
                var tool = new JsonObject { ["role"] = "tool", ["content"] = ResultText(result.Result) };
                if (toolNames.TryGetValue(result.CallId, out var name))
                {
                    tool["tool_name"] = name;
                }

                array.Add(tool);
            }

            var text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
            var calls = message.Contents.OfType<FunctionCallContent>().ToList();
            var images = message.Contents.OfType<DataContent>().Where(d => d.HasTopLevelMediaType("image")).ToList();
            if (results.Count > 0 && text.Length == 0 && calls.Count == 0 && images.Count == 0)
            {
                continue;
            }

            var role = message.Role == ChatRole.Tool && results.Count > 0 ? ChatRole.User : message.Role;
            var item = new JsonObject
            {
                ["role"] = role.Value.ToLowerInvariant(),
                ["content"] = text,
            };
            if (images.Count > 0)
            {
                item["images"] = new JsonArray([.. images.Select(i => JsonValue.Create(Convert.ToBase64String(i.Data.Span)))]);
            }

            if (calls.Count > 0)
            {
                var toolCalls = new JsonArray();
                foreach (var call in calls)
                {
                    var arguments = new JsonObject();
                    if (call.Arguments is not null)
                    {
                        foreach (var (key, value) in call.Arguments)
                        {
                            arguments[key] = ToNode(value);
                        }
                    }

                    toolCalls.Add(new JsonObject { ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = arguments } });
                }

                item["tool_calls"] = toolCalls;
            }

            array.Add(item);
        }

        return array;
    }

    private static void AddOption<T>(JsonObject options, string name, T? value)
        where T : struct
    {
        if (value is { } set)
        {
            options[name] = JsonValue.Create(set);
        }
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        _ => JsonSerializer.SerializeToNode(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
    };

    private static string ResultText(object? result) => result switch
    {
        null => "",
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? "",
        JsonElement element => element.GetRawText(),
        Exception e => $"Error: {e.Message}",
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())),
    };

    private async Task<HttpResponseMessage> SendAsync(byte[] body, string model, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _chatUri)
        {
            // Serialised up front so the body has a length and can be sent again while the pipeline may still retry.
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = s_json;
        HttpResponseMessage response;
        try
        {
            // The pipeline ends when the headers arrive: a failure while reading tokens is never retried.
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (HttpRequestException e)
        {
            throw new OllamaChatException(
                $"Ollama is not reachable at {_connection.Endpoint} ({Reason(e)}). Check that Ollama is running ('ollama serve') and that ConnectionStrings:ollama points to it.",
                OllamaChatErrorKind.Unreachable,
                model,
                inner: e);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException || e.GetType().FullName?.StartsWith("Polly.", StringComparison.Ordinal) == true)
        {
            throw new OllamaChatException(
                $"Ollama at {_connection.Endpoint} did not answer a chat request for model '{model}' ({e.Message.TrimEnd('.')}). Check that Ollama is running and not overloaded.",
                OllamaChatErrorKind.Unreachable,
                model,
                inner: e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw Failed(response, text, model);
        }
    }

    private async Task<Stream> ReadStreamAsync(HttpResponseMessage response, string model, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw LostMidStream(e, model);
        }
    }

    private async Task<string?> ReadLineAsync(StreamReader reader, string model, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw LostMidStream(e, model);
        }
    }

    private OllamaChatException LostMidStream(Exception e, string model) =>
        new($"The connection to Ollama at {_connection.Endpoint} was lost while streaming model '{model}' ({Reason(e)}).", OllamaChatErrorKind.MidStream, model, inner: e);

    private OllamaChatException Failed(HttpResponseMessage response, string body, string model)
    {
        string? error = null;
        try
        {
            error = JsonSerializer.Deserialize(body, OllamaChatJsonContext.Default.OllamaChatRecord)?.Error;
        }
        catch (JsonException)
        {
            // Not Ollama's error shape (a proxy's page, say): the raw body is quoted instead.
        }

        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        if (response.StatusCode == HttpStatusCode.NotFound && error is not null && error.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            return new OllamaChatException(
                $"Ollama at {_connection.Endpoint} does not have the model '{model}' ({error}). Pull it with 'ollama pull {model}', or configure another model in ConnectionStrings:ollama or {LlmConfiguration.ModelKey}.",
                OllamaChatErrorKind.ModelNotFound,
                model,
                response.StatusCode,
                error);
        }

        return new OllamaChatException(
            $"Ollama at {_connection.Endpoint} answered POST /{ChatPath} for model '{model}' with {status}: {error ?? Quote(body)}",
            OllamaChatErrorKind.ErrorResponse,
            model,
            response.StatusCode,
            error);
    }

    private OllamaChatRecord ParseRecord(string text, string model)
    {
        try
        {
            return JsonSerializer.Deserialize(text, OllamaChatJsonContext.Default.OllamaChatRecord)
                ?? throw new JsonException("null instead of a record");
        }
        catch (JsonException e)
        {
            throw new OllamaChatException(
                $"Ollama at {_connection.Endpoint} answered POST /{ChatPath} for model '{model}' with a record that is not a chat response: {Quote(text)}",
                OllamaChatErrorKind.InvalidResponse,
                model,
                inner: e);
        }
    }

    private static void AddMessageContents(OllamaChatRecordMessage? message, List<AIContent> contents)
    {
        if (message is null)
        {
            return;
        }

        if (!string.IsNullOrEmpty(message.Thinking))
        {
            contents.Add(new TextReasoningContent(message.Thinking));
        }

        if (!string.IsNullOrEmpty(message.Content))
        {
            contents.Add(new TextContent(message.Content));
        }

        if (message.ToolCalls is null)
        {
            return;
        }

        foreach (var toolCall in message.ToolCalls)
        {
            if (toolCall.Function?.Name is not { Length: > 0 } name)
            {
                continue;
            }

            var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (toolCall.Function.Arguments is { ValueKind: JsonValueKind.Object } argumentObject)
            {
                foreach (var property in argumentObject.EnumerateObject())
                {
                    arguments[property.Name] = property.Value.Clone();
                }
            }

            contents.Add(new FunctionCallContent(string.IsNullOrEmpty(toolCall.Id) ? NewId() : toolCall.Id, name, arguments) { RawRepresentation = toolCall });
        }
    }

    private static UsageDetails? UsageOf(OllamaChatRecord record)
    {
        if (record.PromptEvalCount is null && record.EvalCount is null && record.TotalDuration is null)
        {
            return null;
        }

        var usage = new UsageDetails
        {
            InputTokenCount = record.PromptEvalCount ?? 0,
            OutputTokenCount = record.EvalCount ?? 0,
            TotalTokenCount = (record.PromptEvalCount ?? 0) + (record.EvalCount ?? 0),
            AdditionalCounts = [],
        };
        AddCount(usage.AdditionalCounts, "total_duration", record.TotalDuration);
        AddCount(usage.AdditionalCounts, "load_duration", record.LoadDuration);
        AddCount(usage.AdditionalCounts, "prompt_eval_duration", record.PromptEvalDuration);
        AddCount(usage.AdditionalCounts, "eval_duration", record.EvalDuration);
        return usage;
    }

    private static void AddCount(AdditionalPropertiesDictionary<long> counts, string name, long? value)
    {
        if (value is { } set)
        {
            counts[name] = set;
        }
    }

    private static ChatFinishReason? FinishReasonOf(string? doneReason, bool sawToolCall) => doneReason switch
    {
        _ when sawToolCall && doneReason is null or "stop" => ChatFinishReason.ToolCalls,
        "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        null or "" => null,
        _ => new ChatFinishReason(doneReason),
    };

    private static DateTimeOffset? CreatedAtOf(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value) ? value : null;

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static string Reason(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost == e ? e.Message.TrimEnd('.') : $"{e.Message.TrimEnd('.')}: {innermost.Message.TrimEnd('.')}";
    }

    private static string Quote(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(no body)";
        }

        var text = body.Trim();
        return text.Length <= MaxQuotedBodyChars ? text : string.Concat(text.AsSpan(0, MaxQuotedBodyChars), "…");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "LLM chat completed: model {Model}, {InputTokens} input tokens, {OutputTokens} output tokens, {DurationMs} ms")]
    private static partial void LogCompleted(ILogger logger, string model, long? inputTokens, long? outputTokens, long durationMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "LLM chat failed: model {Model}, {ErrorType}: {ErrorMessage}")]
    private static partial void LogFailed(ILogger logger, string model, string errorType, string errorMessage);

    /// <summary>One call's span, clock and measurements.</summary>
    private sealed class Call : IDisposable
    {
        private static readonly string[] s_abandoned = ["abandoned"];

        private readonly OllamaChatClient _client;
        private readonly string _model;
        private readonly bool _streaming;
        private readonly long _started = Stopwatch.GetTimestamp();
        private readonly Activity? _activity;
        private string? _responseModel;
        private bool _firstToken;
        private bool _done;

        public Call(OllamaChatClient client, string model, ChatOptions? options, bool streaming)
        {
            _client = client;
            _model = model;
            _streaming = streaming;
            _activity = LlmTelemetry.ActivitySource.StartActivity($"chat {model}", ActivityKind.Client);
            if (_activity is { IsAllDataRequested: true })
            {
                _activity.SetTag("gen_ai.operation.name", "chat");
                _activity.SetTag("gen_ai.system", ProviderName);
                _activity.SetTag("gen_ai.provider.name", ProviderName);
                _activity.SetTag("gen_ai.request.model", model);
                _activity.SetTag("server.address", client._connection.Endpoint.Host);
                _activity.SetTag("server.port", client._connection.Endpoint.Port);
                if (options?.Temperature is { } temperature)
                {
                    _activity.SetTag("gen_ai.request.temperature", temperature);
                }

                if (options?.MaxOutputTokens is { } maxTokens)
                {
                    _activity.SetTag("gen_ai.request.max_tokens", maxTokens);
                }

                if (options?.TopP is { } topP)
                {
                    _activity.SetTag("gen_ai.request.top_p", topP);
                }
            }
        }

        private double Elapsed => Stopwatch.GetElapsedTime(_started).TotalSeconds;

        public void FirstToken()
        {
            if (_firstToken)
            {
                return;
            }

            _firstToken = true;
            if (_streaming)
            {
                _client._telemetry?.TimeToFirstToken.Record(Elapsed, Tags(_responseModel));
                _activity?.AddEvent(new ActivityEvent("gen_ai.first_token"));
            }
        }

        public void Completed(string responseModel, UsageDetails? usage, ChatFinishReason? finishReason)
        {
            _done = true;
            _responseModel = responseModel;
            var elapsed = Elapsed;
            if (_activity is not null)
            {
                _activity.SetTag("gen_ai.response.model", responseModel);
                _activity.SetTag("gen_ai.usage.input_tokens", usage?.InputTokenCount);
                _activity.SetTag("gen_ai.usage.output_tokens", usage?.OutputTokenCount);
                if (finishReason is { } reason)
                {
                    _activity.SetTag("gen_ai.response.finish_reasons", new[] { reason.Value });
                }
            }

            if (_client._telemetry is { } telemetry)
            {
                var tags = Tags(responseModel);
                if (usage?.InputTokenCount is { } input)
                {
                    var inputTags = tags;
                    inputTags.Add("gen_ai.token.type", "input");
                    telemetry.TokenUsage.Record(input, inputTags);
                }

                if (usage?.OutputTokenCount is { } output)
                {
                    var outputTags = tags;
                    outputTags.Add("gen_ai.token.type", "output");
                    telemetry.TokenUsage.Record(output, outputTags);
                }

                telemetry.OperationDuration.Record(elapsed, tags);
                telemetry.GenerateDuration.Record(elapsed, tags);
            }

            if (_client._logger.IsEnabled(LogLevel.Debug))
            {
                LogCompleted(_client._logger, responseModel, usage?.InputTokenCount, usage?.OutputTokenCount, (long)(elapsed * 1000));
            }
        }

        public Exception Fail(Exception e)
        {
            Failed(e);
            return e;
        }

        public void Failed(Exception e)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            var errorType = e is OllamaChatException ollama ? $"ollama.{ollama.Kind}" : e.GetType().FullName ?? e.GetType().Name;
            _activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _activity?.SetTag("error.type", errorType);
            if (_client._telemetry is { } telemetry)
            {
                var tags = Tags(_responseModel);
                tags.Add("error.type", errorType);
                telemetry.OperationDuration.Record(Elapsed, tags);
            }

            if (e is not OperationCanceledException)
            {
                LogFailed(_client._logger, _model, errorType, e.Message);
            }
        }

        public async Task<T> Guard<T>(Task<T> task)
        {
            try
            {
                return await task;
            }
            catch (Exception e)
            {
                Failed(e);
                throw;
            }
        }

        public T Guard<T>(Func<T> action)
        {
            try
            {
                return action();
            }
            catch (Exception e)
            {
                Failed(e);
                throw;
            }
        }

        public void Dispose()
        {
            if (!_done)
            {
                // The consumer stopped reading before the end: neither a success nor a failure of Ollama.
                _activity?.SetTag("gen_ai.response.finish_reasons", s_abandoned);
            }

            _activity?.Dispose();
        }

        private TagList Tags(string? responseModel)
        {
            var tags = new TagList
            {
                { "gen_ai.operation.name", "chat" },
                { "gen_ai.system", ProviderName },
                { "gen_ai.request.model", _model },
                { "server.address", _client._connection.Endpoint.Host },
                { "server.port", _client._connection.Endpoint.Port },
            };
            if (responseModel is not null)
            {
                tags.Add("gen_ai.response.model", responseModel);
            }

            return tags;
        }
    }
}
