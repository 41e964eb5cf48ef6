using Jarvis.Api.Voice;

namespace Jarvis.Tests.Api.Voice;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void SentencesAreCutAtTheirEndOnlyOnceTheNextWordStarts()
    {
        var splitter = new SentenceSplitter();

        Assert.Empty(splitter.Add("It is 3.5 degrees"));
        Assert.Empty(splitter.Add(" in Paris."));
        Assert.Equal(["It is 3.5 degrees in Paris."], splitter.Add(" Wear"));
        Assert.Equal(["Wear a coat!", "Really?"], splitter.Add(" a coat! Really? "));
        Assert.Equal(["- one", "- two"], splitter.Add("- one\n- two\n"));
        Assert.Empty(splitter.Add("Bye"));
        Assert.Equal("Bye", splitter.Flush());
        Assert.Null(splitter.Flush());
    }

    [Fact]
    public void TheFirstPieceEndsAtAClauseOnceItIsLongEnoughSoSpeechStartsSooner()
    {
        var splitter = new SentenceSplitter();

        var sentences = splitter.Add("Yes, without a language model I can handle greetings, the time and the date, and more. Then, the rest, ").ToList();

        Assert.Equal(["Yes, without a language model I can handle greetings,", "the time and the date, and more."], sentences);
        Assert.Equal("Then, the rest,", splitter.Flush());
    }

    [Fact]
    public void ALongRunWithoutAnEndIsCutAtASpace()
    {
        var splitter = new SentenceSplitter();
        var words = string.Join(' ', Enumerable.Repeat("word", 100));

        var sentences = splitter.Add(words).ToList();

        Assert.NotEmpty(sentences);
        Assert.All(sentences, s => Assert.True(s.Length <= SentenceSplitter.MaxSentenceLength, $"{s.Length} characters"));
        Assert.Equal(words, string.Join(' ', sentences.Append(splitter.Flush())));
    }

    [Fact]
    public void ARunWithoutASpaceIsCutAtTheLimitAndCjkSentencesAtTheirOwnMarks()
    {
        var splitter = new SentenceSplitter();
        var url = "https://example.com/" + new string('a', 400);

        var pieces = splitter.Add(url).ToList();

        Assert.All(pieces, p => Assert.Equal(SentenceSplitter.MaxSentenceLength, p.Length));
        Assert.Equal(url, string.Concat(pieces.Append(splitter.Flush())));
        Assert.Equal(["你好。", "再见！"], new SentenceSplitter().Add("你好。再见！"));
    }

    [Theory]
    [InlineData("**Bold** and `code`.", "Bold and code.")]
    [InlineData("See [the docs](https://example.com/x) now.", "See the docs now.")]
    [InlineData("# Title", "Title")]
    [InlineData("1. First step", "First step")]
    public void MarkdownIsLeftOutOfWhatIsSpoken(string sentence, string spoken) =>
        Assert.Equal(spoken, SentenceSplitter.Speakable(sentence));
}
