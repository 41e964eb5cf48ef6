using Jarvis.Voice.Engines;
using Jarvis.Voice.Engines.Wyoming;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Jarvis.Tests.Voice.Wyoming;

public sealed class WyomingEngineExtensionsTests
{
    [Fact]
    public void EachEngineIsRegisteredOnlyWhenItsConnectionStringIsSet()
    {
        using var both = Build(("ConnectionStrings:stt", "Endpoint=tcp://stt:10300"), ("ConnectionStrings:tts", "Endpoint=tcp://tts:10200"));
        using var sttOnly = Build(("ConnectionStrings:stt", "Endpoint=tcp://stt:10300"));
        using var none = Build();

        Assert.IsType<WyomingSpeechToTextEngine>(Assert.Single(both.Services.GetServices<ISpeechToTextEngine>()));
        Assert.IsType<WyomingTextToSpeechEngine>(Assert.Single(both.Services.GetServices<ITextToSpeechEngine>()));
        Assert.Single(sttOnly.Services.GetServices<ISpeechToTextEngine>());
        Assert.Empty(sttOnly.Services.GetServices<ITextToSpeechEngine>());
        Assert.Empty(none.Services.GetServices<ISpeechToTextEngine>());
        Assert.Empty(none.Services.GetServices<ITextToSpeechEngine>());
    }

    [Fact]
    public void BadConnectionStringFailsAtRegistrationNamingTheKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(("ConnectionStrings:tts", "Endpoint=http://tts:10200")));

        Assert.StartsWith("ConnectionStrings:tts has Endpoint=http://tts:10200", error.Message, StringComparison.Ordinal);
    }

    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.AddWyomingEngines();
        return builder.Build();
    }
}
