using CsCheck;

namespace Herald.Sse.Tests;

/// <summary>CsCheck generators for text that stresses SSE framing.</summary>
internal static class Generators
{
    /// <summary>Any Unicode text, weighted towards what breaks framing: CR, LF, CRLF, NUL, blank lines, spaces, colons.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
            (6, Gen.Int['a', 'z'].Select(c => ((char)c).ToString())),
            (4, Gen.OneOf("\r", "\n", "\r\n", "\n\n", "\r\r", "\0", " ", "  ", ":", "\uFEFF")),
            (2, Gen.Int[0x80, 0xD7FF].Select(char.ConvertFromUtf32)),
            (1, Gen.Int[0xE000, 0xFFFF].Select(char.ConvertFromUtf32)),
            (2, Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32)))
        .Array[0, 24]
        .Select(pieces => string.Concat(pieces));

    /// <summary>Text allowed in an event type or id: anything but CR, LF and NUL.</summary>
    public static readonly Gen<string> FieldText =
        Text.Select(s => string.Concat(s.Where(c => c is not ('\r' or '\n' or '\0'))));

    /// <summary>Cut points as fractions of a stream's length, to split it into random chunks.</summary>
    public static readonly Gen<double[]> Cuts = Gen.Double[0, 1].Array[0, 16];

    public static int[] Positions(double[] cuts, int length) =>
        [.. cuts.Select(f => (int)(f * length))];
}
