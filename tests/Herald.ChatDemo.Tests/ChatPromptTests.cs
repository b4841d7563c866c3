namespace Herald.ChatDemo.Tests;

/// <summary>Cleaning a prompt so that it survives the stream unchanged.</summary>
public sealed class ChatPromptTests
{
    [Theory]
    [InlineData("  hello  ", "hello")]
    [InlineData("one\r\ntwo\rthree\nfour", "one\ntwo\nthree\nfour")]
    [InlineData("tab\tkept, bell\u0007 and nul\0 dropped", "tab\tkept, bell and nul dropped")]
    [InlineData("pair \uD83D\uDE00 kept", "pair \uD83D\uDE00 kept")]
    public void A_prompt_is_cleaned(string raw, string expected)
    {
        Assert.True(ChatPrompt.TryClean(raw, 100, out string prompt, out string problem), problem);
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Lone_surrogates_which_cannot_be_sent_as_utf8_are_replaced()
    {
        // Not in InlineData: attribute arguments are stored as UTF-8, which mangles lone surrogates.
        Assert.True(ChatPrompt.TryClean("lone \uD800 high, lone \uDC00 low, reversed \uDC00\uD800", 100, out string prompt, out _));
        Assert.Equal("lone \uFFFD high, lone \uFFFD low, reversed \uFFFD\uFFFD", prompt);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \r\n\t\u0007 ")]
    public void Nothing_left_after_cleaning_is_refused(string? raw)
    {
        Assert.False(ChatPrompt.TryClean(raw, 100, out _, out string problem));
        Assert.Equal("Type a prompt first.", problem);
    }

    [Fact]
    public void The_length_limit_counts_the_cleaned_prompt()
    {
        Assert.True(ChatPrompt.TryClean("  " + new string('x', 10) + "\r\n", 10, out string prompt, out _));
        Assert.Equal(new string('x', 10), prompt);
        Assert.False(ChatPrompt.TryClean(new string('x', 11), 10, out _, out string problem));
        Assert.Contains("at most 10 characters", problem, StringComparison.Ordinal);
    }
}
