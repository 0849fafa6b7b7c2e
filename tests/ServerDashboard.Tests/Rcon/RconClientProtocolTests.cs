using System.Text;
using ServerDashboard.Rcon;

namespace ServerDashboard.Tests.Rcon;

/// <summary>The client against a scripted server over an in-memory duplex pipe: no sockets, exact bytes.</summary>
public sealed class RconClientProtocolTests
{
    [Fact]
    public async Task A_server_that_sends_an_empty_value_before_the_auth_response_is_taken_as_source_like()
    {
        await using var server = new FakeRconServer();

        await using var client = await server.ConnectClientAsync(sourceStyle: true);

        Assert.True(client.IsConnected);
        Assert.True(client.MirrorsEmptyPacket);
    }

    [Fact]
    public async Task A_single_auth_response_means_minecraft_like_framing()
    {
        await using var server = new FakeRconServer();

        await using var client = await server.ConnectClientAsync(sourceStyle: false);

        Assert.False(client.MirrorsEmptyPacket);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Auth_answered_with_id_minus_one_is_a_wrong_password_and_closes_the_connection(bool sourceStyle)
    {
        await using var server = new FakeRconServer();
        await using var client = new RconClient(FakeRconServer.FastOptions);
        var auth = client.AuthenticateAsync(server.ClientStream, FakeRconServer.Endpoint, "secret-pw", CancellationToken.None);
        var request = await server.ReceiveAsync();

        if (sourceStyle)
        {
            await server.SendAsync(new RconPacket(request.Id, RconPacketType.ResponseValue, []), new RconPacket(-1, RconPacketType.AuthResponse, []));
        }
        else
        {
            await server.SendAsync(-1, RconPacketType.AuthResponse, "");
        }

        var error = await Assert.ThrowsAsync<RconAuthenticationException>(() => auth);
        Assert.Contains("wrong RCON password", error.Message);
        Assert.DoesNotContain("secret-pw", error.Message);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task An_auth_answer_of_a_non_standard_type_with_the_right_id_is_accepted()
    {
        await using var server = new FakeRconServer();
        await using var client = new RconClient(FakeRconServer.FastOptions);
        var auth = client.AuthenticateAsync(server.ClientStream, FakeRconServer.Endpoint, "pw", CancellationToken.None);
        var request = await server.ReceiveAsync();

        await server.SendAsync(request.Id, 7, "");

        await auth;
        Assert.True(client.IsConnected);
        Assert.False(client.MirrorsEmptyPacket);
    }

    [Fact]
    public async Task An_auth_answered_only_by_an_empty_value_is_accepted_after_the_follow_up_wait()
    {
        await using var server = new FakeRconServer();
        await using var client = new RconClient(FakeRconServer.FastOptions);
        var auth = client.AuthenticateAsync(server.ClientStream, FakeRconServer.Endpoint, "pw", CancellationToken.None);
        var request = await server.ReceiveAsync();

        await server.SendAsync(new RconPacket(request.Id, RconPacketType.ResponseValue, []));

        await auth;
        Assert.False(client.MirrorsEmptyPacket);
    }

    [Fact]
    public async Task A_source_reply_ends_at_the_mirrored_empty_packet_and_leftovers_are_skipped_by_the_next_command()
    {
        await using var server = new FakeRconServer();
        await using var client = await server.ConnectClientAsync(sourceStyle: true);

        var first = client.ExecuteAsync("status", CancellationToken.None);
        var command = await server.ReceiveAsync();
        var sentinel = await server.ReceiveAsync();
        Assert.Equal((RconPacketType.ExecCommand, "status"), (command.Type, command.BodyText));
        Assert.Equal((RconPacketType.ResponseValue, 0), (sentinel.Type, sentinel.Body.Length));
        await server.SendAsync(
            RconPacket.Create(command.Id, 0, "part one, "),
            RconPacket.Create(command.Id, 0, "part two"),
            new RconPacket(sentinel.Id, 0, []),
            new RconPacket(sentinel.Id, 0, [0, 1, 0, 0])); // srcds sends this extra packet after the mirror
        Assert.Equal("part one, part two", (await first).Text);

        var second = client.ExecuteAsync("echo again", CancellationToken.None);
        var command2 = await server.ReceiveAsync();
        var sentinel2 = await server.ReceiveAsync();
        await server.SendAsync(RconPacket.Create(command2.Id, 0, "again"), new RconPacket(sentinel2.Id, 0, []));
        Assert.Equal("again", (await second).Text);
        Assert.Equal(2, client.Latency.Snapshot().Count);
    }

    [Fact]
    public async Task A_100_KB_minecraft_reply_in_4096_byte_fragments_is_reassembled_exactly()
    {
        await using var server = new FakeRconServer();
        await using var client = await server.ConnectClientAsync(sourceStyle: false);
        var expected = string.Concat(Enumerable.Range(0, 100_000).Select(i => (char)('a' + i % 26)));

        var reply = client.ExecuteAsync("big 100000", CancellationToken.None);
        var command = await server.ReceiveAsync();
        var fragments = expected.Chunk(4096).Select(c => RconPacket.Create(command.Id, 0, new string(c))).ToArray();
        Assert.Equal(25, fragments.Length);
        foreach (var fragment in fragments)
        {
            await server.SendAsync(fragment); // one write each, as Minecraft does
        }

        var text = (await reply).Text;
        Assert.Equal(100_000, text.Length);
        Assert.Equal(expected, text);
    }

    [Fact]
    public async Task A_minecraft_reply_of_exactly_two_full_fragments_ends_after_the_idle_wait()
    {
        await using var server = new FakeRconServer();
        await using var client = await server.ConnectClientAsync(sourceStyle: false);

        var reply = client.ExecuteAsync("big 8192", CancellationToken.None);
        var command = await server.ReceiveAsync();
        await server.SendAsync(RconPacket.Create(command.Id, 0, new string('x', 4096)), RconPacket.Create(command.Id, 0, new string('y', 4096)));

        Assert.Equal(8192, (await reply).Text.Length);
    }

    [Fact]
    public async Task Utf8_split_across_fragments_is_decoded_after_reassembly()
    {
        await using var server = new FakeRconServer();
        await using var client = await server.ConnectClientAsync(sourceStyle: false);
        var bytes = Encoding.UTF8.GetBytes(new string('é', 2100)); // 4200 bytes

        var reply = client.ExecuteAsync("list", CancellationToken.None);
        var command = await server.ReceiveAsync();
        await server.SendAsync(new RconPacket(command.Id, 0, bytes[..4095]), new RconPacket(command.Id, 0, bytes[4095..])); // cuts an 'é' in two

        Assert.Equal(new string('é', 2100), (await reply).Text);
    }

    [Fact]
    public async Task A_command_longer_than_1446_utf8_bytes_is_rejected_before_anything_is_sent()
    {
        await using var server = new FakeRconServer();
        await using var client = await server.ConnectClientAsync(sourceStyle: false);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.ExecuteAsync("say " + new string('ü', 722), CancellationToken.None));

        Assert.Contains("1448 bytes", error.Message);
        Assert.Contains("limit is 1446", error.Message);
        Assert.True(client.IsConnected);
        var ok = client.ExecuteAsync(new string('a', 1446), CancellationToken.None);
        var command = await server.ReceiveAsync();
        Assert.Equal(1446, command.Body.Length);
        await server.SendAsync(command.Id, 0, "fine");
        Assert.Equal("fine", (await ok).Text);
    }

    [Fact]
    public async Task A_command_without_a_reply_times_out_and_poisons_the_connection()
    {
        await using var server = new FakeRconServer();
        await using var client = await server.ConnectClientAsync(sourceStyle: false);

        var error = await Assert.ThrowsAsync<RconTimeoutException>(() => client.ExecuteAsync("list", TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.Contains("fake:25575", error.Message);
        Assert.False(client.IsConnected);
        await Assert.ThrowsAsync<RconConnectionException>(() => client.ExecuteAsync("list", CancellationToken.None));
    }

    [Fact]
    public async Task A_server_that_closes_after_the_command_reports_that_the_command_was_sent()
    {
        await using var server = new FakeRconServer();
        await using var client = await server.ConnectClientAsync(sourceStyle: false);

        var stop = client.ExecuteAsync("stop", CancellationToken.None);
        await server.ReceiveAsync();
        await server.CloseAsync();

        var error = await Assert.ThrowsAsync<RconConnectionException>(() => stop);
        Assert.True(error.CommandSent);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Cancelling_a_command_throws_operation_cancelled_and_drops_the_connection()
    {
        await using var server = new FakeRconServer();
        await using var client = await server.ConnectClientAsync(sourceStyle: false);
        using var cancel = new CancellationTokenSource();

        var pending = client.ExecuteAsync("list", cancel.Token);
        await server.ReceiveAsync();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_garbage_size_field_from_the_server_fails_the_command_with_a_protocol_error()
    {
        await using var server = new FakeRconServer();
        await using var client = await server.ConnectClientAsync(sourceStyle: false);

        var pending = client.ExecuteAsync("list", CancellationToken.None);
        await server.ReceiveAsync();
        await server.SendRawAsync([0xFB, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]); // size -5

        var error = await Assert.ThrowsAsync<RconProtocolException>(() => pending);

        Assert.StartsWith("invalid packet size -5 from fake:25575", error.Message);
        Assert.False(client.IsConnected);
    }
}
