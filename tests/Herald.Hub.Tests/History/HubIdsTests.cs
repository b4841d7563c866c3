using Herald.Hub.History;

namespace Herald.Hub.Tests.History;

public sealed class HubIdsTests
{
    [Fact]
    public void A_generated_id_is_a_version_7_uuid_urn()
    {
        string id = HubIds.Create(42, 1_700_000_000_123);
        Guid uuid = Guid.Parse(id[HubIds.Prefix.Length..]);

        Assert.StartsWith("urn:uuid:", id, StringComparison.Ordinal);
        Assert.Equal(7, uuid.Version);
        Assert.Equal(0b10, uuid.Variant >> 2);
    }

    [Fact]
    public void Ids_sort_as_strings_by_time_then_sequence()
    {
        string[] ordered =
        [
            HubIds.Create(1, 1000), HubIds.Create(2, 1000), HubIds.Create(255, 1000), HubIds.Create(256, 1000),
            HubIds.Create(257, 1001), HubIds.Create(1L << 40, 1001), HubIds.Create((1L << 62) - 1, 1001), HubIds.Create(3, 1002),
        ];
        Assert.Equal(ordered, ordered.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L << 62, 0L)]
    [InlineData(1L, -1L)]
    [InlineData(1L, 1L << 48)]
    public void Out_of_range_inputs_are_refused(long sequence, long milliseconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HubIds.Create(sequence, milliseconds));
}
