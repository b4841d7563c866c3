namespace Herald.Hub.Redis;

/// <summary>
/// The Lua script that appends a batch: one round trip, atomic against every other node's
/// appends, so sequences are contiguous and idempotency by id holds across nodes.
/// </summary>
/// <remarks>
/// <para>Keys: the stream, the id index (a sorted set: member the id, score its sequence) and the
/// clock (the newest commit time, so generated ids never go back in time when node clocks
/// differ).</para>
/// <para>Arguments: the approximate length to trim to, the node's time in Unix milliseconds, the
/// number of updates, then <see cref="FieldsPerUpdate"/> per update: id (empty when the hub
/// generates it), the sequence and time of an id shaped like a generated one (else empty), topic,
/// alternate topics, data, type, retry and private (each empty when absent).</para>
/// <para>Entries are added with the id <c>0-*</c>: Redis numbers them 0-1, 0-2, ... so the entry id
/// carries the log sequence itself, with no counter key that could disagree with the stream.
/// Generated ids are not stored: they are rebuilt from the sequence and the stored time.</para>
/// <para>Returns two values per update: its sequence and its commit time, or for a duplicate the
/// stored sequence and -1.</para>
/// </remarks>
internal static class AppendScript
{
    /// <summary>How many arguments each update takes.</summary>
    public const int FieldsPerUpdate = 9;

    /// <summary>The script.</summary>
    public const string Text = """
        local stream, ids, clock = KEYS[1], KEYS[2], KEYS[3]
        -- Times stay strings, so Lua's numbers never reformat them.
        local now = ARGV[2]
        local newest = redis.call('GET', clock)
        if newest and tonumber(newest) > tonumber(now) then now = newest else redis.call('SET', clock, now) end
        local out = {}
        local a = 4
        for n = 1, tonumber(ARGV[3]) do
          local id, hubSeq, hubMs = ARGV[a], ARGV[a + 1], ARGV[a + 2]
          local stored = false
          if id ~= '' then
            stored = redis.call('ZSCORE', ids, id)
            if not stored and hubSeq ~= '' then
              -- An id of the generated shape: a duplicate if the entry at that sequence has no
              -- id of its own and the time the id carries.
              local at = redis.call('XRANGE', stream, '0-' .. hubSeq, '0-' .. hubSeq)
              if #at == 1 then
                local f, own, ms = at[1][2], false, nil
                for k = 1, #f, 2 do
                  if f[k] == 'i' then own = true elseif f[k] == 'm' then ms = f[k + 1] end
                end
                if not own and ms == hubMs then stored = hubSeq end
              end
            end
          end
          if stored then
            out[#out + 1] = stored
            out[#out + 1] = -1
          else
            local fields = { 'm', now, 't', ARGV[a + 3], 'd', ARGV[a + 5] }
            if id ~= '' then fields[#fields + 1] = 'i'; fields[#fields + 1] = id end
            if ARGV[a + 4] ~= '' then fields[#fields + 1] = 'a'; fields[#fields + 1] = ARGV[a + 4] end
            if ARGV[a + 6] ~= '' then fields[#fields + 1] = 'e'; fields[#fields + 1] = ARGV[a + 6] end
            if ARGV[a + 7] ~= '' then fields[#fields + 1] = 'r'; fields[#fields + 1] = ARGV[a + 7] end
            if ARGV[a + 8] ~= '' then fields[#fields + 1] = 'p'; fields[#fields + 1] = '1' end
            local entry = redis.call('XADD', stream, 'MAXLEN', '~', ARGV[1], '0-*', unpack(fields))
            local seq = string.sub(entry, 3)
            if id ~= '' then redis.call('ZADD', ids, seq, id) end
            out[#out + 1] = seq
            out[#out + 1] = now
          end
          a = a + 9
        end
        -- The id index keeps only what the stream still holds.
        local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
        if #first == 1 then
          redis.call('ZREMRANGEBYSCORE', ids, '-inf', '(' .. string.sub(first[1][1], 3))
        end
        return out
        """;
}
