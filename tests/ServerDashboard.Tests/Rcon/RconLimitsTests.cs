using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerDashboard.Rcon;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Rcon;

/// <summary>Deadlines and size limits of our RCON client against a scripted TCP server.</summary>
public sealed class RconLimitsTests
{
    [Fact]
    public async Task A_command_queued_behind_a_stalled_one_fails_within_its_own_timeout_not_twice_it()
    {
        await using var server = new ScriptedRconServer((command, stream, ct) => Task.CompletedTask); // never answers
        var options = new RconOptions { CommandTimeout = TimeSpan.FromSeconds(2) };
        await using var connections = new RconConnections(
            (_, _) => Task.FromResult<RconTarget?>(new RconTarget("127.0.0.1", server.Port, "pw")),
            Options.Create(options), TimeProvider.System, NullLoggerFactory.Instance);

        var first = connections.ExecuteAsync(1, "stall", CancellationToken.None);
        await Task.Delay(200);
        var clock = Stopwatch.StartNew();
        var queued = connections.ExecuteAsync(1, "stall too", CancellationToken.None);

        await Assert.ThrowsAsync<RconTimeoutException>(() => first);
        await Assert.ThrowsAsync<RconTimeoutException>(() => queued);
        // Before the fix the queued command got a fresh 2 s on a new connection after the first timed out: ~4 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"the queued command failed after {clock.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task A_reply_larger_than_MaxReplyBytes_fails_the_command_with_a_clear_error_and_resets_the_connection()
    {
        var fragment = new string('x', RconPacket.ServerFragmentLength);
        await using var server = new ScriptedRconServer(async (command, stream, ct) =>
        {
            for (var i = 0; i < 1000; i++) // 4 MB: an endless reply, as far as the client is concerned
            {
                await ScriptedRconServer.ReplyAsync(command, stream, fragment, ct);
            }
        });
        await using var client = new RconClient(new RconOptions { MaxReplyBytes = 64 * 1024 });
        await client.ConnectAsync("127.0.0.1", server.Port, "pw", CancellationToken.None);

        var error = await Assert.ThrowsAsync<RconReplyTooLargeException>(() => client.ExecuteAsync("list", CancellationToken.None));

        Assert.Contains("larger than 65536 bytes", error.Message);
        Assert.Contains("MaxReplyBytes", error.Message);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_reply_within_the_limit_is_returned_whole()
    {
        var fragment = new string('y', RconPacket.ServerFragmentLength);
        await using var server = new ScriptedRconServer(async (command, stream, ct) =>
        {
            for (var i = 0; i < 3; i++)
            {
                await ScriptedRconServer.ReplyAsync(command, stream, fragment, ct);
            }

            await ScriptedRconServer.ReplyAsync(command, stream, "end", ct);
        });
        await using var client = new RconClient(new RconOptions { MaxReplyBytes = 64 * 1024 });
        await client.ConnectAsync("127.0.0.1", server.Port, "pw", CancellationToken.None);

        var reply = await client.ExecuteAsync("list", CancellationToken.None);

        Assert.Equal(3 * RconPacket.ServerFragmentLength + 3, reply.Text.Length);
    }

    [Fact]
    public async Task A_connection_the_server_already_closed_is_reported_before_the_command_is_sent()
    {
        var commands = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var server = new ScriptedRconServer(async (command, stream, ct) =>
        {
            commands.Enqueue(command.BodyText);
            await ScriptedRconServer.ReplyAsync(command, stream, "ok", ct);
            // 70 stray packets and the close in one write: the client's read loop takes them all off the socket, fills
            // its 64-packet queue and stalls before it reaches the end of the stream, as a late-running loop would.
            var stray = Enumerable.Range(0, 70).SelectMany(_ => ScriptedRconServer.Encode(new RconPacket(999_999, RconPacketType.ResponseValue, []))).ToArray();
            await stream.WriteAsync(stray, ct);
            stream.Close();
        });
        await using var client = new RconClient();
        await client.ConnectAsync("127.0.0.1", server.Port, "pw", CancellationToken.None);
        Assert.Equal("ok", (await client.ExecuteAsync("first", CancellationToken.None)).Text);
        await Eventually.TrueAsync(() => client.BufferedPacketCount == 64, TimeSpan.FromSeconds(10), "the read loop to stall on a full queue");
        Assert.True(client.IsConnected); // the read loop has not seen the end of the stream

        var error = await Assert.ThrowsAsync<RconConnectionException>(() => client.ExecuteAsync("second", CancellationToken.None));

        // Not sent, so a caller (RconConnections) may reconnect and send it again without running it twice.
        Assert.False(error.CommandSent, error.Message);
        Assert.Contains("closed the connection before the command was sent", error.Message);
        Assert.False(client.IsConnected);
        await Task.Delay(100);
        Assert.Equal(["first"], commands);
    }
}
