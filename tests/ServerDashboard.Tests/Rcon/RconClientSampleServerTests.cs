using ServerDashboard.Testing;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerDashboard.Rcon;
using ServerDashboard.Tests.SampleGameServer;

namespace ServerDashboard.Tests.Rcon;

/// <summary>Our client against the real SampleGameServer process, once per RCON style.</summary>
public abstract class RconClientSampleServerTests(RconServerFixture fixture, bool sourceStyle)
{
    private const string Password = RconServerFixture.Password;

    [Fact]
    public async Task Echo_returns_the_text()
    {
        await using var client = await ConnectAsync();

        var reply = await client.ExecuteAsync("echo hello", CancellationToken.None);

        Assert.Equal("hello", reply.Text);
        Assert.True(reply.Duration > TimeSpan.Zero);
        Assert.Equal(sourceStyle, client.MirrorsEmptyPacket);
    }

    [Fact]
    public async Task A_100000_byte_reply_arrives_whole()
    {
        await using var client = await ConnectAsync();

        var reply = await client.ExecuteAsync("big 100000", CancellationToken.None);

        Assert.Equal(100_000, reply.Text.Length);
        Assert.StartsWith("abcdefghijklmnopqrstuvwxyz0123456789abc", reply.Text);
        Assert.Equal("pong", (await client.ExecuteAsync("echo pong", CancellationToken.None)).Text); // nothing left over
    }

    [Fact]
    public async Task Many_commands_share_one_connection_and_feed_the_latency_figures()
    {
        await using var client = await ConnectAsync();

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"n{i}", (await client.ExecuteAsync($"echo n{i}", CancellationToken.None)).Text);
        }

        var latency = client.Latency.Snapshot();
        Assert.Equal(50, latency.Count);
        Assert.True(latency.P99 >= latency.P50);
    }

    [Fact]
    public async Task Concurrent_commands_on_one_connection_are_serialized_and_each_gets_its_own_reply()
    {
        await using var client = await ConnectAsync();

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.ExecuteAsync($"echo c{i}", CancellationToken.None)));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"c{i}"), replies.Select(r => r.Text));
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_error()
    {
        await using var client = new RconClient();

        var error = await Assert.ThrowsAsync<RconAuthenticationException>(
            () => client.ConnectAsync("127.0.0.1", fixture.RconPort, "not-the-password", CancellationToken.None));

        Assert.Contains("wrong RCON password", error.Message);
        Assert.DoesNotContain("not-the-password", error.Message);
        Assert.False(client.IsConnected);
    }

    private async Task<RconClient> ConnectAsync()
    {
        var client = new RconClient();
        await client.ConnectAsync("127.0.0.1", fixture.RconPort, Password, CancellationToken.None);
        return client;
    }
}

public sealed class RconClientMinecraftStyleTests(MinecraftRconServerFixture fixture)
    : RconClientSampleServerTests(fixture, sourceStyle: false), IClassFixture<MinecraftRconServerFixture>;

public sealed class RconClientSourceStyleTests(SourceRconServerFixture fixture)
    : RconClientSampleServerTests(fixture, sourceStyle: true), IClassFixture<SourceRconServerFixture>;

/// <summary>The per-server connection manager: kept-open connections, reconnects, no retry storms.</summary>
public sealed class RconConnectionsTests
{
    private const string Password = "conn-pass-1";

    [Theory]
    [InlineData("minecraft")]
    [InlineData("source")]
    public async Task After_the_server_restarts_on_the_same_port_the_next_command_reconnects(string style)
    {
        var rconPort = FreePort.Next();
        await using var connections = Manager(rconPort, Password);
        using (var first = await StartServerAsync(rconPort, style))
        {
            Assert.Equal("one", (await connections.ExecuteAsync(1, "echo one", CancellationToken.None)).Text);
            Assert.True(connections.IsConnected(1));
            first.Signal(SampleServerProcess.Sigkill);
            await first.WaitForExitAsync();
        }

        // The restart happens while the command is already waiting: the manager retries the refused connect.
        var next = connections.ExecuteAsync(1, "echo two", CancellationToken.None);
        using var second = await StartServerAsync(rconPort, style);

        Assert.Equal("two", (await next).Text);
        Assert.Equal("three", (await connections.ExecuteAsync(1, "echo three", CancellationToken.None)).Text);
        Assert.Equal(3, connections.Latency(1).Count);
    }

    [Fact]
    public async Task A_wrong_password_fails_at_once_without_retrying()
    {
        var rconPort = FreePort.Next();
        using var server = await StartServerAsync(rconPort, "minecraft");
        await using var connections = Manager(rconPort, "wrong-password");
        var linesBefore = server.LineCount;

        await Assert.ThrowsAsync<RconAuthenticationException>(() => connections.ExecuteAsync(1, "list", CancellationToken.None));

        await server.WaitForLineAsync("used a wrong password", linesBefore);
        await Task.Delay(300);
        Assert.Single(server.OutputLines.Skip(linesBefore), l => l.Contains("RCON connection from"));
    }

    [Fact]
    public async Task A_server_without_rcon_is_reported_as_unavailable()
    {
        await using var connections = new RconConnections((_, _) => Task.FromResult<RconTarget?>(null),
            Options.Create(new RconOptions()), TimeProvider.System, NullLoggerFactory.Instance);

        await Assert.ThrowsAsync<RconUnavailableException>(() => connections.ExecuteAsync(9, "list", CancellationToken.None));
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_times_out_instead_of_hanging()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var sink = Task.Run(async () =>
        {
            using var socket = await silent.AcceptSocketAsync();
            var buffer = new byte[1024];
            while (await socket.ReceiveAsync(buffer) > 0)
            {
                // read everything, answer nothing
            }
        });
        await using var connections = Manager(port, Password, new RconOptions { CommandTimeout = TimeSpan.FromSeconds(1) });

        var attempt = connections.ExecuteAsync(1, "list", CancellationToken.None);

        var completed = await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.Same(attempt, completed);
        await Assert.ThrowsAsync<RconTimeoutException>(() => attempt);
        Assert.False(connections.IsConnected(1));
    }

    private static RconConnections Manager(int port, string password, RconOptions? options = null) =>
        new((_, _) => Task.FromResult<RconTarget?>(new RconTarget("127.0.0.1", port, password)),
            Options.Create(options ?? new RconOptions()), TimeProvider.System, NullLoggerFactory.Instance);

    private static Task<SampleServerProcess> StartServerAsync(int rconPort, string style) =>
        SampleServerProcess.StartReadyAsync(
            "--port", FreePort.Next().ToString(), "--ready-delay-ms", "0", "--heartbeat-ms", "0",
            "--rcon-port", rconPort.ToString(), "--rcon-password", Password, "--rcon-style", style);
}
