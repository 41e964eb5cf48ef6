using System.Net.Http.Json;
using Jarvis.Voice.Model;

namespace Jarvis.Tests.Voice;

/// <summary>flite speaks, pocketsphinx listens: the word error rate over a few assistant phrases stays at most 10 %.</summary>
public sealed class VoiceRoundTripTests
{
    private static readonly string[] s_sentences =
    [
        "what is the weather in Paris",
        "remember that my sister is called Alice",
        "turn on the kitchen light",
        "set a timer for ten minutes",
        "play some music in the living room",
        "what time is it",
        "call my mother tomorrow morning",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FliteSpeechTranscribesWithAWordErrorRateOfAtMostTenPercent()
    {
        await using var api = new VoiceApiFactory();
        using var client = api.CreateClient();
        int errors = 0, words = 0;
        foreach (var sentence in s_sentences)
        {
            var wav = await VoiceTestAudio.SpeakAsync(client, sentence, "en", Ct);
            using var response = await VoiceTestAudio.PostWavAsync(client, wav, Ct);
            response.EnsureSuccessStatusCode();
            var transcript = await response.Content.ReadFromJsonAsync<TranscriptionResponse>(Ct);
            Assert.NotNull(transcript);
            Assert.Equal("pocketsphinx", transcript.Engine);
            Assert.Equal("en", transcript.Language);
            Assert.True(transcript.DurationMs > 500, $"'{sentence}' lasts {transcript.DurationMs} ms");

            var reference = Words(sentence);
            var distance = WordDistance(reference, Words(transcript.Text));
            errors += distance;
            words += reference.Length;
            TestContext.Current.TestOutputHelper?.WriteLine($"'{sentence}' -> '{transcript.Text}' ({distance} errors)");
        }

        var wer = (double)errors / words;
        TestContext.Current.TestOutputHelper?.WriteLine($"Word error rate: {errors}/{words} = {wer:P1}");
        Assert.True(wer <= 0.10, $"word error rate {wer:P1} ({errors} errors in {words} words)");
    }

    private static string[] Words(string text) => text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);

    // Word-level Levenshtein distance: substitutions, insertions and deletions.
    private static int WordDistance(string[] reference, string[] hypothesis)
    {
        var previous = Enumerable.Range(0, hypothesis.Length + 1).ToArray();
        for (var i = 1; i <= reference.Length; i++)
        {
            var current = new int[hypothesis.Length + 1];
            current[0] = i;
            for (var j = 1; j <= hypothesis.Length; j++)
            {
                var substitution = previous[j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            previous = current;
        }

        return previous[hypothesis.Length];
    }
}
