using System.Net;
using ServerDashboard.Metrics;

namespace ServerDashboard.Tests.Metrics;

public sealed class ScrapeAllowListTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("10.0.0.0/8", "10.20.30.40", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)] // a dual-stack socket's view of an IPv4 client
    [InlineData("::1", "::1", true)]
    [InlineData("fd00::/8", "fd12::1", true)]
    public void An_address_is_allowed_by_a_matching_address_or_network(string entry, string client, bool allowed) =>
        Assert.Equal(allowed, ScrapeAllowList.From([entry]).Allows(IPAddress.Parse(client)));

    [Theory]
    [InlineData("localhost")]
    [InlineData("10.0.0.0/33")]
    [InlineData("300.1.1.1")]
    [InlineData("")]
    public void Names_and_malformed_entries_are_refused(string entry) =>
        Assert.False(ScrapeAllowList.TryParseEntry(entry, out _));

    [Fact]
    public void No_address_is_never_allowed() => Assert.False(ScrapeAllowList.From(["0.0.0.0/0"]).Allows(null));
}
