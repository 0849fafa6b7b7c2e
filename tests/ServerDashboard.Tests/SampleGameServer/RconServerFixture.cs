using ServerDashboard.Testing;
namespace ServerDashboard.Tests.SampleGameServer;

/// <summary>One RCON-enabled server shared by a test class; every test opens its own connections.</summary>
public abstract class RconServerFixture(string style) : IAsyncLifetime
{
    public const string Password = "s3cret-pass";

    private SampleServerProcess? _server;

    public int RconPort { get; } = FreePort.Next();

    internal SampleServerProcess Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _server = await SampleServerProcess.StartReadyAsync(
            "--port", FreePort.Next().ToString(), "--ready-delay-ms", "0", "--heartbeat-ms", "0",
            "--rcon-port", RconPort.ToString(), "--rcon-password", Password, "--rcon-style", style);
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }

    internal async Task<RconTestClient> ConnectAuthenticatedAsync()
    {
        var client = await RconTestClient.ConnectAsync(RconPort);
        await client.SendAsync(1, RconTestClient.Auth, Password);

        // Source style puts an empty RESPONSE_VALUE in front of the AUTH_RESPONSE.
        var reply = await client.ReceiveAsync();
        if (reply.Type == RconTestClient.ResponseValue)
        {
            reply = await client.ReceiveAsync();
        }

        Assert.Equal((1, RconTestClient.AuthResponse), (reply.Id, reply.Type));
        return client;
    }
}

public sealed class MinecraftRconServerFixture() : RconServerFixture("minecraft");

public sealed class SourceRconServerFixture() : RconServerFixture("source");
