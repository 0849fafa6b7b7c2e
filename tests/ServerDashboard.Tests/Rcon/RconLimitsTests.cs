using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerDashboard.Rcon;

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
}
