using System.Net;
using System.Net.Sockets;
using System.Text;
using Jarvis.Voice.Engines.Wyoming;

namespace Jarvis.Tests.Voice.Wyoming;

public sealed class WyomingClientTests
{
    [Fact]
    public async Task DescribeParsesTheProgramsModelsAndLanguages()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new WyomingTestServer { Info = WyomingTestInfo.Create(transcriptStreaming: true, synthesizeStreaming: false) };

        var info = await new WyomingClient(server.Endpoint).DescribeAsync(ct);

        var asr = Assert.Single(info.Asr);
        Assert.Equal("faster-whisper", asr.Name);
        Assert.True(asr.SupportsStreaming);
        Assert.Equal(new WyomingModel("tiny-int8", ["en", "fr"], true, []), asr.Models[0], ModelComparer.Instance);
        var tts = Assert.Single(info.Tts);
        Assert.False(info.SupportsSynthesizeStreaming);
        Assert.Equal(["en_US-lessac-medium", "fr_FR-siwis-medium"], tts.Models.Select(m => m.Name));
        Assert.Equal(["lessac"], tts.Models[0].Speakers);
        Assert.False(tts.Models[1].Installed);
    }

    [Fact]
    public async Task AdditionalDataIsMergedOverTheHeaderData()
    {
        var ct = TestContext.Current.CancellationToken;
        const string Extra = "{\"tts\":[{\"name\":\"piper\",\"models\":[]}]}";
        var answer = $"{{\"type\":\"info\",\"data\":{{\"asr\":[],\"tts\":[]}},\"data_length\":{Encoding.UTF8.GetByteCount(Extra)}}}\n{Extra}";
        await using var server = new WyomingTestServer { RawDescribeAnswer = Encoding.UTF8.GetBytes(answer) };

        var info = await new WyomingClient(server.Endpoint).DescribeAsync(ct);

        Assert.Empty(info.Asr);
        Assert.Equal("piper", Assert.Single(info.Tts).Name);
    }

    [Fact]
    public async Task UnreachableServerIsReportedByEndpoint()
    {
        var ct = TestContext.Current.CancellationToken;
        var endpoint = $"tcp://127.0.0.1:{FreePort()}";

        var problem = await new WyomingSpeechToTextEngine(new WyomingClient(new Uri(endpoint))).CheckAvailableAsync(ct);

        Assert.NotNull(problem);
        Assert.StartsWith($"The Wyoming server at {endpoint} is unreachable", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Jarvis.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentServerIsReportedWithinTheProbeTimeout()
    {
        var ct = TestContext.Current.CancellationToken;
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var endpoint = $"tcp://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        var started = TimeProvider.System.GetTimestamp();

        var problem = await new WyomingTextToSpeechEngine(new WyomingClient(new Uri(endpoint))).CheckAvailableAsync(ct);

        Assert.Equal($"The Wyoming server at {endpoint} did not answer describe within 3 s.", problem);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("not json\n", "not valid JSON")]
    [InlineData("{\"data\":{}}\n", "has no \"type\"")]
    [InlineData("{\"type\":\"info\",\"payload_length\":-1}\n", "\"payload_length\" is not a length from 0 to")]
    [InlineData("{\"type\":\"info\",\"data_length\":50}\n{}", "closed the connection before the 50 bytes")]
    [InlineData("{\"type\":\"info\",\"data_length\":2}\n[]", "additional data of a \"info\" event is not a JSON object")]
    public async Task MalformedHeaderFromTheServerIsAClearException(string answer, string message)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = new WyomingTestServer { RawDescribeAnswer = Encoding.UTF8.GetBytes(answer) };
        var client = new WyomingClient(server.Endpoint);
        await using var connection = await client.ConnectAsync(ct);

        var error = await Assert.ThrowsAsync<WyomingProtocolException>(() => client.DescribeAsync(connection, ct));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Endpoint=tcp://stt:10300", "tcp://stt:10300/")]
    [InlineData("endpoint=tcp://localhost:1234;Other=x", "tcp://localhost:1234/")]
    public void ConnectionStringGivesTheEndpoint(string connectionString, string expected) =>
        Assert.Equal(expected, WyomingEndpoint.Parse("ConnectionStrings:stt", connectionString).ToString());

    [Theory]
    [InlineData("Host=stt", "ConnectionStrings:stt has no Endpoint")]
    [InlineData("Endpoint=http://stt:10300", "ConnectionStrings:stt has Endpoint=http://stt:10300; expected tcp://host:port")]
    [InlineData("Endpoint=tcp://stt", "ConnectionStrings:stt has Endpoint=tcp://stt; expected tcp://host:port")]
    [InlineData("Endpoint='unterminated", "ConnectionStrings:stt is not a connection string")]
    public void BadConnectionStringNamesTheKey(string connectionString, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => WyomingEndpoint.Parse("ConnectionStrings:stt", connectionString));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ModelComparer : IEqualityComparer<WyomingModel>
    {
        public static ModelComparer Instance { get; } = new();

        public bool Equals(WyomingModel? x, WyomingModel? y) =>
            x!.Name == y!.Name && x.Languages.SequenceEqual(y.Languages) && x.Installed == y.Installed && x.Speakers.SequenceEqual(y.Speakers);

        public int GetHashCode(WyomingModel obj) => obj.Name.GetHashCode(StringComparison.Ordinal);
    }
}
