using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Jarvis.Api.Chat;

namespace Jarvis.Api.Voice;

/// <summary>What a spoken turn produces: tokens as they come, each sentence's audio once it is spoken, then the end.</summary>
public abstract record VoiceEvent;

/// <summary>A piece of the reply's text.</summary>
public sealed record VoiceToken(string Text) : VoiceEvent;

/// <summary>One sentence of the reply, spoken: <paramref name="Wav"/> is a whole 16-bit PCM WAV file.</summary>
public sealed record VoiceAudio(int Index, string Text, byte[] Wav) : VoiceEvent;

/// <summary>The end of the turn; <paramref name="Note"/> says why some or all of the reply was not spoken.</summary>
public sealed record VoiceDone(ChatDone Chat, string? Note) : VoiceEvent;

/// <summary>
/// Speaks a chat reply while it is written: each sentence goes to Jarvis.Voice as soon as it is complete, one at a time
/// and in order, while the model writes the next; so the first audio comes long before the reply is finished. Voice
/// failing costs the audio, never the text: the turn ends with a note.
/// </summary>
public sealed partial class SpokenReply(VoiceClient voice, VoiceMetrics metrics, ILogger<SpokenReply> logger)
{
    /// <summary>The note of a turn whose reply could not be spoken.</summary>
    public const string VoiceUnavailableNote = "Voice is unavailable right now, so the reply is not spoken.";

    /// <summary>
    /// The events of <paramref name="reply"/> with its sentences spoken in <paramref name="language"/>. When
    /// <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) is given, the turn is timed as a voice turn.
    /// </summary>
    public async IAsyncEnumerable<VoiceEvent> SpeakAsync(
        IAsyncEnumerable<ChatEvent> reply, string language, long? started, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reply);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = Channel.CreateUnbounded<VoiceEvent>(new UnboundedChannelOptions { SingleReader = true });
        var sentences = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var speaker = SpeakSentencesAsync(sentences.Reader, events.Writer, language, started, stop.Token);
        var writer = WriteAsync(reply, sentences.Writer, events.Writer, speaker, stop.Token);
        try
        {
            await foreach (var item in events.Reader.ReadAllAsync(cancellationToken))
            {
                // Timed before the caller hears of the end: a caller may stop reading there.
                if (item is VoiceDone && started is { } turnStarted)
                {
                    metrics.TurnFinished(Stopwatch.GetElapsedTime(turnStarted));
                }

                yield return item;
            }

            await writer;
        }
        finally
        {
            // The caller went away (or failed): nothing more is spoken for it.
            await stop.CancelAsync();
            await Task.WhenAll(writer, speaker).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task WriteAsync(
        IAsyncEnumerable<ChatEvent> reply, ChannelWriter<string> sentences, ChannelWriter<VoiceEvent> events, Task<string?> speaker, CancellationToken cancellationToken)
    {
        try
        {
            var splitter = new SentenceSplitter();
            ChatDone? done = null;
            await foreach (var item in reply.WithCancellation(cancellationToken))
            {
                switch (item)
                {
                    case ChatToken token:
                        await events.WriteAsync(new VoiceToken(token.Text), cancellationToken);
                        foreach (var sentence in splitter.Add(token.Text))
                        {
                            await sentences.WriteAsync(sentence, cancellationToken);
                        }

                        break;
                    case ChatDone end:
                        done = end;
                        break;
                }
            }

            if (splitter.Flush() is { } last)
            {
                await sentences.WriteAsync(last, cancellationToken);
            }

            sentences.Complete();
            var note = await speaker;
            await events.WriteAsync(new VoiceDone(done ?? throw new InvalidOperationException("A chat turn ended without its final event."), note), cancellationToken);
            events.Complete();
        }
        catch (Exception e)
        {
            // The speaker stops at the sentences it has; the reader gets the reply's error.
            sentences.TryComplete();
            events.TryComplete(e);
        }
    }

    private async Task<string?> SpeakSentencesAsync(
        ChannelReader<string> sentences, ChannelWriter<VoiceEvent> events, string language, long? started, CancellationToken cancellationToken)
    {
        // Yield first: the caller starts reading before the first sentence is spoken.
        await Task.Yield();
        var index = 0;
        string? note = null;
        await foreach (var sentence in sentences.ReadAllAsync(cancellationToken))
        {
            if (note is not null || SentenceSplitter.Speakable(sentence) is not { Length: > 0 } speakable)
            {
                continue;
            }

            using var activity = VoiceMetrics.Source.StartActivity("voice speak");
            activity?.SetTag("voice.sentence", index);
            try
            {
                var wav = await voice.SpeakAsync(speakable, language, cancellationToken);
                if (index == 0 && started is { } turnStarted)
                {
                    metrics.FirstAudio(Stopwatch.GetElapsedTime(turnStarted));
                }

                await events.WriteAsync(new VoiceAudio(index++, sentence, wav), cancellationToken);
            }
            catch (Exception e) when (e is VoiceUnavailableException or VoiceRejectedException)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                LogNotSpoken(logger, e.Message);
                note = VoiceUnavailableNote;
            }
        }

        return note;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The reply is not spoken: {Reason}")]
    private static partial void LogNotSpoken(ILogger logger, string reason);
}
