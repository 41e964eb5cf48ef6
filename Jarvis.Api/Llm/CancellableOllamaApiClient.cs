using OllamaSharp;
using OllamaSharp.Models;

namespace Jarvis.Api.Llm;

/// <summary>
/// OllamaSharp's client, with a streamed answer that ends when its caller cancels. OllamaSharp reads the stream with
/// <c>ReadLineAsync()</c> and no token, so a cancelled turn (the user's <c>stop</c>, a client gone away, the service
/// stopping) would wait for Ollama's next line, and for ever if Ollama stalls. Cancelling now disposes the response,
/// which closes the connection to Ollama and ends the pending read at once.
/// </summary>
internal sealed class CancellableOllamaApiClient(HttpClient client, string model) : OllamaApiClient(client, model)
{
    protected override async Task<HttpResponseMessage> SendToOllamaAsync(
        HttpRequestMessage requestMessage, OllamaRequest? ollamaRequest, HttpCompletionOption completionOption, CancellationToken cancellationToken)
    {
        var response = await base.SendToOllamaAsync(requestMessage, ollamaRequest, completionOption, cancellationToken).ConfigureAwait(false);
        if (completionOption == HttpCompletionOption.ResponseHeadersRead && cancellationToken.CanBeCanceled)
        {
            // The registration lives as long as the token, which OllamaErrorsChatClient makes for each call; disposing
            // the response twice is harmless.
            cancellationToken.UnsafeRegister(static state => ((HttpResponseMessage)state!).Dispose(), response);
        }

        return response;
    }
}
