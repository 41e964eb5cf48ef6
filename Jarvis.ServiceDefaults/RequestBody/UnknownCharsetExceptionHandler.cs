using System.Text;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Jarvis.ServiceDefaults.RequestBody;

/// <summary>
/// Turns the InvalidOperationException that ASP.NET Core's JSON body binding throws for a <c>Content-Type</c> whose
/// charset is no known encoding (<c>application/json; charset=nonsense</c>) into a 415 problem, instead of a 500 (found
/// by Jarvis.Tests/Reliability/FuzzTests). It acts in services that call <c>UseExceptionHandler()</c>; routes that read
/// their body themselves are not affected.
/// </summary>
internal sealed class UnknownCharsetExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not InvalidOperationException || httpContext.Response.HasStarted
            || !MediaTypeHeaderValue.TryParse(httpContext.Request.ContentType, out var mediaType) || IsKnown(mediaType.Charset))
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        var problemDetails = httpContext.RequestServices.GetService<IProblemDetailsService>();
        return problemDetails is null || await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status415UnsupportedMediaType,
                Title = "Unsupported charset",
                Detail = "The Content-Type names a charset this service cannot read; send UTF-8.",
            },
        });
    }

    // As ASP.NET Core reads it (HttpRequestJsonExtensions): UTF-8, or the name of an encoding, in at most one pair of quotes.
    private static bool IsKnown(StringSegment charset)
    {
        if (!charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var name = charset.Length > 2 && charset[0] == '"' && charset[^1] == '"' ? charset.Subsegment(1, charset.Length - 2).ToString() : charset.ToString();
        try
        {
            Encoding.GetEncoding(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
