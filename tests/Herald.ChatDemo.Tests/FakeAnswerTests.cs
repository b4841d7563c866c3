using CsCheck;

namespace Herald.ChatDemo.Tests;

/// <summary>The fake model: deterministic answers, and tokens that put the answer back together exactly.</summary>
public sealed class FakeAnswerTests
{
    /// <summary>Prompts with what could break a tokenizer: spaces of all kinds, line breaks,
    /// punctuation, long words, accents, CJK and characters outside the BMP.</summary>
    private static readonly Gen<string> Prompts = Gen.Frequency(
            (6, Gen.Char['a', 'z'].Select(c => c.ToString())),
            (2, Gen.OneOf(" ", "  ", "\n", "\t", "\u00A0", "\u3000")),
            (2, Gen.OneOf(",", ".", "?", "'", "\"", "-", "\u201C")),
            (1, Gen.OneOf("\u00E9", "e\u0301", "\u65E5\u672C", "\uD83D\uDE00", "\uD835\uDC00", "12345678")))
        .Array[0, 60]
        .Select(parts => string.Concat(parts));

    [Fact]
    public void Tokens_concatenate_to_the_text_and_never_split_a_character()
    {
        Prompts.Sample(prompt =>
        {
            foreach (string text in (string[])[prompt, FakeAnswer.Compose(prompt)])
            {
                List<string> tokens = FakeAnswer.Tokenize(text);
                Assert.Equal(text, string.Concat(tokens));
                Assert.All(tokens, token =>
                {
                    Assert.NotEmpty(token);
                    Assert.False(char.IsLowSurrogate(token[0]), "a token starts with half a character");
                    Assert.False(char.IsHighSurrogate(token[^1]), "a token ends with half a character");
                });
            }
        });
    }

    [Fact]
    public void Tokens_are_word_ish_pieces_with_the_whitespace_before_them()
    {
        Assert.Equal(
            ["Hello", ",", " wonder", "ful", "  world", "!", " \uD83D\uDE00", "\n"],
            FakeAnswer.Tokenize("Hello, wonderful  world! \uD83D\uDE00\n"));
    }

    [Fact]
    public void The_same_prompt_gets_the_same_answer_and_other_prompts_other_answers()
    {
        string answer = FakeAnswer.Compose("What is a token stream?");

        Assert.Equal(answer, FakeAnswer.Compose("What is a token stream?"));
        Assert.StartsWith("You asked: \u201CWhat is a token stream?\u201D. The words that stand out are \u201CWhat\u201D, \u201Ctoken\u201D and \u201Cstream\u201D.", answer, StringComparison.Ordinal);
        Assert.InRange(FakeAnswer.Tokenize(answer).Count, 100, 250);

        // Beyond the quote, the sentences picked and their order depend on the prompt too.
        string Body(string prompt) => FakeAnswer.Compose(prompt)[FakeAnswer.Compose(prompt).IndexOf("\u201D.", StringComparison.Ordinal)..];
        string[] prompts = ["one", "two", "three", "four", "five", "six"];
        Assert.True(prompts.Select(Body).Distinct().Count() > 1);
    }

    [Fact]
    public void A_long_prompt_is_quoted_on_one_line_and_cut_at_a_word()
    {
        string prompt = "first line\n" + string.Join(' ', Enumerable.Repeat("word", 40));

        string answer = FakeAnswer.Compose(prompt);

        string quote = answer["You asked: \u201C".Length..answer.IndexOf('\u201D', StringComparison.Ordinal)];
        Assert.StartsWith("first line word word", quote, StringComparison.Ordinal);
        Assert.EndsWith("word\u2026", quote, StringComparison.Ordinal);
        Assert.InRange(quote.Length, 70, 81);
        Assert.DoesNotContain('\n', answer);
    }
}
