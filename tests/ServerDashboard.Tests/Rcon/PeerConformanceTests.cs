using ServerDashboard.Tests.SampleGameServer;

namespace ServerDashboard.Tests.Rcon;

/// <summary>
/// Independent clients (npm rcon-client, Debian rconclt) against the SampleGameServer our client is tested with: if they
/// agree with it, our tests against it mean something. Minecraft style, short replies: rconclt cannot read two packets
/// from one TCP read (see docs/sample-game-server.md).
/// </summary>
public sealed class PeerConformanceTests(MinecraftRconServerFixture fixture) : IClassFixture<MinecraftRconServerFixture>
{
    private const string Password = RconServerFixture.Password;

    [Theory]
    [InlineData("list", "There are 0 of a max of 20 players online")]
    [InlineData("echo hi", "hi")]
    public async Task Rcon_client_from_npm_gets_the_right_reply(string command, string expected)
    {
        var result = await Peers.RconCheckAsync(fixture.RconPort, Password, command);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.StartsWith(expected, result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Rcon_client_from_npm_exits_1_on_a_wrong_password()
    {
        var result = await Peers.RconCheckAsync(fixture.RconPort, "wrong-password", "list");

        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Rconclt_gets_the_right_reply()
    {
        var result = await Peers.RconcltAsync(fixture.RconPort, Password, "list");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.StartsWith("There are 0 of a max of 20 players online", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Rconclt_exits_5_on_a_wrong_password()
    {
        var result = await Peers.RconcltAsync(fixture.RconPort, "wrong-password", "list");

        Assert.Equal(5, result.ExitCode);
    }
}
