using System.Globalization;
using Herald.Hub.History;
using StackExchange.Redis;

namespace Herald.Hub.Redis;

/// <summary>
/// An update as a stream entry: id <c>0-{sequence}</c>, fields <c>m</c> (commit time, Unix
/// milliseconds), <c>t</c> (topic), <c>d</c> (data) and, when present, <c>i</c> (the publisher's
/// id; absent for a generated one, rebuilt from sequence and time), <c>a</c> (alternate topics),
/// <c>e</c> (type), <c>r</c> (retry) and <c>p</c> (private). Written by <see cref="AppendScript"/>.
/// </summary>
internal static class RedisStreamEntry
{
    /// <summary>The sequence an entry id carries.</summary>
    /// <exception cref="FormatException">The id is not one the hub wrote.</exception>
    public static long SequenceOf(string? entryId)
    {
        if (entryId is null || !entryId.StartsWith("0-", StringComparison.Ordinal)
            || !long.TryParse(entryId.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
        {
            throw new FormatException($"The stream holds an entry \"{entryId}\" the hub did not write: is another application using its key?");
        }

        return sequence;
    }

    /// <summary>An entry read with <c>XRANGE</c>.</summary>
    public static LoggedUpdate Read(RedisValue entryId, NameValueEntry[] fields)
    {
        var reader = new Fields();
        foreach (NameValueEntry field in fields)
        {
            reader.Set(field.Name, field.Value);
        }

        return reader.ToLogged(SequenceOf(entryId));
    }

    /// <summary>An entry read with <c>XREAD</c>: its fields as one flat array of names and values.</summary>
    public static LoggedUpdate Read(string entryId, RedisResult[] fields)
    {
        var reader = new Fields();
        for (int i = 0; i + 1 < fields.Length; i += 2)
        {
            reader.Set((RedisValue)fields[i], (RedisValue)fields[i + 1]);
        }

        return reader.ToLogged(SequenceOf(entryId));
    }

    private struct Fields
    {
        private string? _id;
        private long _milliseconds;
        private string? _topic;
        private string? _alternates;
        private string? _data;
        private string? _type;
        private long? _retry;
        private bool _private;

        public void Set(RedisValue name, RedisValue value)
        {
            switch ((string?)name)
            {
                case "i": _id = value; break;
                case "m": _milliseconds = (long)value; break;
                case "t": _topic = value; break;
                case "a": _alternates = value; break;
                case "d": _data = value; break;
                case "e": _type = value; break;
                case "r": _retry = (long)value; break;
                case "p": _private = true; break;
                default: break;
            }
        }

        public readonly LoggedUpdate ToLogged(long sequence)
        {
            if (_topic is null || _data is null)
            {
                throw new FormatException($"The stream's entry 0-{sequence} has no topic or no data: is another application using its key?");
            }

            var update = new Update(TopicCodec.Decode(_topic, _alternates), _data, _id ?? HubIds.Create(sequence, _milliseconds), _type, _retry, _private);
            return new LoggedUpdate(sequence, update);
        }
    }
}
