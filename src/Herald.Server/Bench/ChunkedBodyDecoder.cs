namespace Herald.Server.Bench;

/// <summary>
/// Takes an HTTP/1.1 chunked body apart incrementally: hands back the payload bytes of each chunk
/// and skips the size lines and their CRLFs, whatever way the reads split them.
/// </summary>
internal sealed class ChunkedBodyDecoder
{
    private State _state = State.Size;
    private long _remaining;

    private enum State
    {
        Size,
        SizeLineEnd,
        Data,
        DataEnd,
        Ended,
    }

    /// <summary>Whether the last (zero-sized) chunk has been read: the server ended the response.</summary>
    public bool Ended => _state == State.Ended;

    /// <summary>
    /// Consumes <paramref name="input"/> up to the next payload bytes and returns them in
    /// <paramref name="payload"/>; false when <paramref name="input"/> holds no more payload.
    /// </summary>
    /// <exception cref="InvalidDataException">The chunk framing is broken.</exception>
    public bool TryRead(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> payload)
    {
        while (!input.IsEmpty)
        {
            switch (_state)
            {
                case State.Size:
                    byte digit = input[0];
                    input = input[1..];
                    int value = HexValue(digit);
                    if (value >= 0)
                    {
                        _remaining = checked((_remaining * 16) + value);
                    }
                    else if (digit is (byte)'\n')
                    {
                        EndSizeLine();
                    }
                    else if (digit is (byte)'\r' or (byte)';' or (byte)' ')
                    {
                        _state = State.SizeLineEnd;
                    }
                    else
                    {
                        throw new InvalidDataException($"A chunk size holds the byte 0x{digit:x2}.");
                    }

                    break;
                case State.SizeLineEnd:
                    int lineEnd = input.IndexOf((byte)'\n');
                    input = lineEnd < 0 ? default : input[(lineEnd + 1)..];
                    if (lineEnd >= 0)
                    {
                        EndSizeLine();
                    }

                    break;
                case State.Data:
                    int take = (int)Math.Min(_remaining, input.Length);
                    payload = input[..take];
                    input = input[take..];
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = State.DataEnd;
                    }

                    return true;
                case State.DataEnd:
                    int crlfEnd = input.IndexOf((byte)'\n');
                    input = crlfEnd < 0 ? default : input[(crlfEnd + 1)..];
                    if (crlfEnd >= 0)
                    {
                        _state = State.Size;
                    }

                    break;
                default:
                    input = default;
                    break;
            }
        }

        payload = default;
        return false;
    }

    private void EndSizeLine() => _state = _remaining == 0 ? State.Ended : State.Data;

    private static int HexValue(byte digit) => digit switch
    {
        >= (byte)'0' and <= (byte)'9' => digit - '0',
        >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
        _ => -1,
    };
}
