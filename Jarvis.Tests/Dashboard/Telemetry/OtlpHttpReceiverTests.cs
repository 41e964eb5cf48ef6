using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Jarvis.Hosting.Dashboard.Otlp.Proto.Collector;
using Jarvis.Hosting.Dashboard.Telemetry;
using Jarvis.Tests.Infrastructure.Otlp;
using RpcStatus = Jarvis.Hosting.Dashboard.Otlp.Proto.Rpc.Status;

namespace Jarvis.Tests.Dashboard.Telemetry;

/// <summary>The OTLP/HTTP receiver's contract: key, content type, size, malformed bodies, gzip and partial success.</summary>
public sealed class OtlpHttpReceiverTests
{
    private static readonly ExportLogsServiceRequest OneLog = OtlpRequests.Logs("api", "hello");

    [Fact]
    public async Task RequestsWithoutTheRightKeyAre401AndStoreNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct, apiKey: "right-key");
        using var client = new HttpClient();

        using var missing = await client.PostAsync(new Uri(receiver.HttpEndpoint, "/v1/logs"), Protobuf(OneLog.ToByteArray()), ct);
        using var wrong = await OtlpRequests.PostAsync(receiver, "logs", OneLog, ct, apiKey: "wrong-key");
        using var longer = await OtlpRequests.PostAsync(receiver, "logs", OneLog, ct, apiKey: "right-key-and-more");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], new[] { missing.StatusCode, wrong.StatusCode, longer.StatusCode });
        Assert.Equal(16, RpcStatus.Parser.ParseFrom(await wrong.Content.ReadAsByteArrayAsync(ct)).Code);
        Assert.DoesNotContain("right-key", await wrong.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        Assert.Empty(receiver.Logs);
        Assert.Equal(0, receiver.Repository.Version);
    }

    [Fact]
    public async Task GarbageIs400AndTheReceiverKeepsWorking()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);

        // Field 1, length 16, then one byte: a truncated message.
        using var garbage = await SendAsync(receiver, "traces", Protobuf([0x0A, 0x10, 0x01]), ct);
        using var badGzip = await SendAsync(receiver, "logs", Gzipped("not gzip at all"u8.ToArray()), ct);
        using var json = await SendAsync(receiver, "logs", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), ct);
        using var valid = await OtlpRequests.PostAsync(receiver, "logs", OneLog, ct);

        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Contains("not a valid traces export request", RpcStatus.Parser.ParseFrom(await garbage.Content.ReadAsByteArrayAsync(ct)).Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badGzip.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal("application/x-protobuf", valid.Content.Headers.ContentType?.MediaType);
        Assert.Null(ExportLogsServiceResponse.Parser.ParseFrom(await valid.Content.ReadAsByteArrayAsync(ct)).PartialSuccess);
        Assert.Equal("hello", Assert.Single(receiver.Logs).Message);
    }

    [Fact]
    public async Task GzipBodiesAreAcceptedAndSizeIsCappedBeforeAndAfterInflating()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct, maxBodyBytes: 4096);
        var big = OtlpRequests.Logs("api", new string('x', 8000));

        using var gzip = await SendAsync(receiver, "logs", Gzipped(Compress(OneLog.ToByteArray())), ct);
        using var tooBig = await SendAsync(receiver, "logs", Protobuf(big.ToByteArray()), ct);
        var bomb = Compress(big.ToByteArray());
        Assert.True(bomb.Length < 4096);
        using var inflatesTooBig = await SendAsync(receiver, "logs", Gzipped(bomb), ct);

        Assert.Equal(HttpStatusCode.OK, gzip.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, inflatesTooBig.StatusCode);
        Assert.Equal("hello", Assert.Single(receiver.Logs).Message);
    }

    [Fact]
    public async Task SpansWithBadIdsAreRejectedAsAPartialSuccess()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        var shortTraceId = OtlpRequests.MakeSpan(1, 2, "short trace id", second: 0);
        shortTraceId.TraceId = ByteString.CopyFrom(1, 2, 3, 4, 5);
        var zeroSpanId = OtlpRequests.MakeSpan(1, 3, "zero span id", second: 0);
        zeroSpanId.SpanId = ByteString.CopyFrom(new byte[8]);
        var request = OtlpRequests.Traces("api", OtlpRequests.MakeSpan(1, 1, "good", second: 0), shortTraceId, zeroSpanId);

        using var response = await OtlpRequests.PostAsync(receiver, "traces", request, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var partial = ExportTraceServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(ct)).PartialSuccess;
        Assert.Equal(2, partial.RejectedSpans);
        Assert.Contains("16 bytes", partial.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("good", Assert.Single(receiver.Spans).Name);
        Assert.Equal(1, receiver.Repository.Version);
    }

    [Fact]
    public async Task TwoInstancesOfOneServiceGetInstanceSuffixes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(ct);
        foreach (var instance in new[] { "aaaaaaaa1111", "bbbbbbbb2222" })
        {
            var request = OtlpRequests.Logs("api", $"from {instance}");
            request.ResourceLogs[0].Resource.Attributes.Add(OtlpRequests.Text("service.instance.id", instance));
            (await OtlpRequests.PostAsync(receiver, "logs", request, ct)).EnsureSuccessStatusCode();
        }

        (await OtlpRequests.PostAsync(receiver, "logs", OtlpRequests.Logs("voice", "single"), ct)).EnsureSuccessStatusCode();

        Assert.Equal(["api-aaaaaaaa", "api-bbbbbbbb", "voice"], receiver.Repository.GetResources());
        Assert.Equal("from aaaaaaaa1111", Assert.Single(receiver.Repository.GetLogs(new LogQuery(Resource: "api-aaaaaaaa"))).Message);
        Assert.Equal(2, receiver.Repository.GetLogs(new LogQuery(Resource: "api")).Count);
    }

    private static ByteArrayContent Protobuf(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }

    private static ByteArrayContent Gzipped(byte[] body)
    {
        var content = Protobuf(body);
        content.Headers.ContentEncoding.Add("gzip");
        return content;
    }

    private static byte[] Compress(byte[] body)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize))
        {
            gzip.Write(body);
        }

        return compressed.ToArray();
    }

    private static async Task<HttpResponseMessage> SendAsync(OtlpReceiver receiver, string signal, HttpContent content, CancellationToken cancellationToken)
    {
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Add("x-otlp-api-key", receiver.ApiKey);
        using (content)
        {
            return await client.PostAsync(new Uri(receiver.HttpEndpoint, $"/v1/{signal}"), content, cancellationToken);
        }
    }
}
