using ServerDashboard.Testing;
namespace ServerDashboard.Tests.SampleGameServer;

public sealed class RconLifecycleTests
{
    [Fact]
    public async Task Stop_over_rcon_replies_first_then_exits_with_code_zero()
    {
        var rconPort = FreePort.Next();
        using var server = await SampleServerProcess.StartReadyAsync(
            "--port", FreePort.Next().ToString(), "--ready-delay-ms", "0", "--rcon-port", rconPort.ToString(), "--rcon-password", "pw");
        await using var client = await RconTestClient.ConnectAsync(rconPort);
        await client.AuthenticateAsync("pw");

        await client.SendAsync(5, RconTestClient.ExecCommand, "stop");

        Assert.Equal("Stopping the server", (await client.ReceiveAsync()).Text);
        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Rcon_password_can_come_from_the_environment()
    {
        var rconPort = FreePort.Next();
        using var server = SampleServerProcess.Start(
            new Dictionary<string, string> { ["RCON_PASSWORD"] = "env-pw" },
            "--port", FreePort.Next().ToString(), "--ready-delay-ms", "0", "--rcon-port", rconPort.ToString());
        await server.WaitForLineAsync("RCON running on");
        await using var client = await RconTestClient.ConnectAsync(rconPort);

        Assert.Equal(1, await client.AuthenticateAsync("env-pw"));
    }

    [Fact]
    public async Task Rcon_port_already_in_use_exits_with_code_one()
    {
        using var occupier = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupier.Start();
        var rconPort = ((System.Net.IPEndPoint)occupier.LocalEndpoint).Port;
        using var server = SampleServerProcess.Start(
            "--port", FreePort.Next().ToString(), "--rcon-port", rconPort.ToString(), "--rcon-password", "pw");

        Assert.Equal(1, await server.WaitForExitAsync());
        Assert.Contains("cannot bind the RCON port", server.StandardError);
    }
}
