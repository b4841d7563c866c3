using System.Net;
using Herald.Hub.Limits;

namespace Herald.Hub.Tests.Limits;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::")]
    [InlineData("::1", "::")]
    public void An_address_is_counted_as_itself_an_IPv6_one_as_its_64(string address, string counted) =>
        Assert.Equal(IPAddress.Parse(counted), ClientAddress.Normalize(IPAddress.Parse(address)));

    [Fact]
    public void No_address_is_no_client() => Assert.Null(ClientAddress.Normalize(null));
}
