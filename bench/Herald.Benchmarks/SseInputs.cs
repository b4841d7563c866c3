using System.Text;

namespace Herald.Benchmarks;

/// <summary>
/// Builds the <c>text/event-stream</c> inputs of the parser benchmarks from a fixed seed, so every
/// run and both parsers see the very same bytes.
/// </summary>
internal static class SseInputs
{
    private const int Seed = 20_240_601;

    // Non-ASCII text that LLM token streams carry, of 2, 3, 3 and 4 UTF-8 bytes.
    private static readonly string[] MultiByteText = ["é", "€", "中", "😀"];

    /// <summary>Token-like events, as LLM streams send them: an <c>id</c> line and 5 to 20 bytes of data.</summary>
    public static byte[] Tokens(int count)
    {
        var random = new Random(Seed);
        var text = new StringBuilder(count * 32);
        for (int i = 0; i < count; i++)
        {
            text.Append("id: ").Append(10_000 + i).Append('\n');
            text.Append("data: ");
            AppendToken(text, random);
            text.Append("\n\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Events whose data is one line of <paramref name="dataBytes"/> ASCII bytes.</summary>
    public static byte[] SingleLineEvents(int count, int dataBytes)
    {
        var random = new Random(Seed);
        byte[] frame = [.. "data: "u8, .. new byte[dataBytes], .. "\n\n"u8];
        var stream = new byte[frame.Length * count];
        for (int i = 0; i < count; i++)
        {
            // Fresh random data per event, so no parser can profit from repeated content.
            FillPrintable(frame.AsSpan("data: "u8.Length, dataBytes), random);
            frame.CopyTo(stream, i * frame.Length);
        }

        return stream;
    }

    /// <summary>Appends a leading space and letters, with non-ASCII text in one token in eight, up to 5 to 20 UTF-8 bytes.</summary>
    private static void AppendToken(StringBuilder text, Random random)
    {
        // The space is part of the data: "data:  x" keeps " x", as a word-leading token does.
        text.Append(' ');
        int remaining = random.Next(5, 21) - 1;
        bool multiByte = random.Next(8) == 0;
        while (remaining > 0)
        {
            string piece = multiByte && random.Next(3) == 0
                ? MultiByteText[random.Next(MultiByteText.Length)]
                : ((char)('a' + random.Next(26))).ToString();
            int pieceBytes = Encoding.UTF8.GetByteCount(piece);
            if (pieceBytes <= remaining)
            {
                text.Append(piece);
                remaining -= pieceBytes;
            }
        }
    }

    private static void FillPrintable(Span<byte> destination, Random random)
    {
        ReadOnlySpan<byte> alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 {}\":,"u8;
        foreach (ref byte b in destination)
        {
            b = alphabet[random.Next(alphabet.Length)];
        }
    }
}
