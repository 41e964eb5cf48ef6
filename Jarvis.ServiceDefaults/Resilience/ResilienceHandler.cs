using Polly;

namespace Jarvis.ServiceDefaults.Resilience;

/// <summary>Sends each request through its client's <see cref="HttpResiliencePipeline"/>.</summary>
internal sealed class ResilienceHandler(HttpResiliencePipeline pipeline) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var lease = pipeline.Limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            throw new HttpRequestException(
                $"HTTP client '{pipeline.ClientName}' already has its maximum of concurrent requests in flight; the request was not sent.");
        }

        var retryDisabled = request.Options.TryGetValue(HttpResilienceRequestOptions.DisableRetry, out var disable) && disable;
        if (request.Content is not null && !retryDisabled)
        {
            // A body that can be read once (a forward-only stream) must be replayable for a retry.
            await request.Content.LoadIntoBufferAsync(cancellationToken);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(HttpResiliencePipelines.RequestKey, request);
        if (retryDisabled)
        {
            context.Properties.Set(HttpResiliencePipelines.RetryDisabledKey, true);
        }

        try
        {
            var outcome = await pipeline.Pipeline.ExecuteOutcomeAsync(
                static async (context, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Handler.SendAttemptAsync(state.Request, context.CancellationToken));
                    }
                    catch (Exception exception)
                    {
                        return Outcome.FromException<HttpResponseMessage>(exception);
                    }
                },
                context,
                (Handler: this, Request: request));

            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendAttemptAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
