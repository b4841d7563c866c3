using System.Text;
using Herald.Hub.Delivery;

namespace Herald.Hub.Tests.Delivery;

public sealed class SseFrameTests
{
    [Fact]
    public void An_update_is_encoded_once_into_its_frame()
    {
        SseFrame frame = SseFrame.Encode(new Update(["t"], "a\n\n b", "id-1", "kind", 100), 7);

        Assert.Equal("event: kind\nid: id-1\nretry: 100\ndata: a\ndata: \ndata:  b\n\n", Encoding.UTF8.GetString(frame.Span));
        Assert.Equal(7, frame.Sequence);
        frame.Release();
    }

    [Fact]
    public void The_bytes_stay_valid_until_the_last_reference_is_released()
    {
        SseFrame frame = SseFrame.Encode(new Update(["t"], "payload", "id"), 1);
        frame.AddReference();
        frame.AddReference();

        frame.Release();
        frame.Release();
        Assert.Contains("payload", Encoding.UTF8.GetString(frame.Span), StringComparison.Ordinal);

        frame.Release();
        Assert.True(frame.Span.IsEmpty);
    }

    [Fact]
    public void A_constant_frame_ignores_references()
    {
        SseFrame heartbeat = SseFrame.Constant(":\n\n"u8.ToArray());
        heartbeat.AddReference();
        heartbeat.Release();
        heartbeat.Release();
        Assert.Equal(":\n\n", Encoding.UTF8.GetString(heartbeat.Span));
        Assert.Equal(0, heartbeat.Sequence);
    }
}
