using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Herald.Hub.Http;

/// <summary>
/// Reads an <c>application/x-www-form-urlencoded</c> body into fields, with the hub's own limits
/// and messages. ASP.NET Core's form reader refuses a NUL anywhere with a message that names no
/// field; the hub must say which field is wrong, so it decodes the form itself.
/// </summary>
internal static class UrlEncodedForm
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The outcome of reading a form body.</summary>
    public enum Status
    {
        /// <summary>The form was read.</summary>
        Read,

        /// <summary>The body is larger than the limit.</summary>
        TooLarge,

        /// <summary>The body is not a valid form; the problem says why.</summary>
        Invalid,
    }

    /// <summary>Reads the whole body (at most <paramref name="maxBytes"/>) and decodes it.</summary>
    public static async Task<(Status Status, Dictionary<string, StringValues>? Fields, string? Problem)> ReadAsync(PipeReader body, long maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                body.AdvanceTo(buffer.Start, buffer.End);
                return (Status.TooLarge, null, null);
            }

            if (result.IsCompleted)
            {
                try
                {
                    return Decode(buffer.IsSingleSegment ? buffer.FirstSpan : buffer.ToArray(), out string? problem) is { } fields
                        ? (Status.Read, fields, null)
                        : (Status.Invalid, null, problem);
                }
                finally
                {
                    body.AdvanceTo(buffer.End);
                }
            }

            // Nothing consumed, everything examined: the next read returns the whole body so far.
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Splits on <c>&amp;</c> and <c>=</c>, then percent-decodes (<c>+</c> is a space) and
    /// decodes UTF-8 strictly; repeated names keep every value in order.</summary>
    public static Dictionary<string, StringValues>? Decode(ReadOnlySpan<byte> body, out string? problem)
    {
        var fields = new Dictionary<string, StringValues>(StringComparer.Ordinal);
        foreach (Range pairRange in body.Split((byte)'&'))
        {
            ReadOnlySpan<byte> pair = body[pairRange];
            if (pair.IsEmpty)
            {
                continue;
            }

            int equals = pair.IndexOf((byte)'=');
            ReadOnlySpan<byte> rawName = equals < 0 ? pair : pair[..equals];
            ReadOnlySpan<byte> rawValue = equals < 0 ? [] : pair[(equals + 1)..];
            if (Unescape(rawName, out problem) is not { } name || Unescape(rawValue, out problem) is not { } value)
            {
                return null;
            }

            fields[name] = fields.TryGetValue(name, out StringValues existing) ? StringValues.Concat(existing, value) : new StringValues(value);
        }

        problem = null;
        return fields;
    }

    private static string? Unescape(ReadOnlySpan<byte> raw, out string? problem)
    {
        byte[]? rented = null;
        Span<byte> decoded = raw.Length <= 256 ? stackalloc byte[raw.Length] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            int length = 0;
            for (int i = 0; i < raw.Length; i++)
            {
                byte b = raw[i];
                if (b == '+')
                {
                    b = (byte)' ';
                }
                else if (b == '%')
                {
                    if (i + 2 >= raw.Length || !byte.TryParse(raw.Slice(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out b))
                    {
                        problem = "The form has a '%' that is not followed by two hexadecimal digits.";
                        return null;
                    }

                    i += 2;
                }

                decoded[length++] = b;
            }

            problem = null;
            return StrictUtf8.GetString(decoded[..length]);
        }
        catch (DecoderFallbackException)
        {
            problem = "The form's fields must be UTF-8; it holds bytes that are not.";
            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
