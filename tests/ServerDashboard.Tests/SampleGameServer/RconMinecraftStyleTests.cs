using System.Buffers.Binary;

namespace ServerDashboard.Tests.SampleGameServer;

public sealed class RconMinecraftStyleTests(MinecraftRconServerFixture fixture) : IClassFixture<MinecraftRconServerFixture>
{
    [Theory]
    [InlineData(7)]
    [InlineData(-42)]
    public async Task Auth_with_the_right_password_echoes_the_request_id(int requestId)
    {
        await using var client = await RconTestClient.ConnectAsync(fixture.RconPort);

        Assert.Equal(requestId, await client.AuthenticateAsync(RconServerFixture.Password, requestId));
    }

    [Fact]
    public async Task Auth_with_a_wrong_password_replies_id_minus_one_and_closes_the_connection()
    {
        await using var client = await RconTestClient.ConnectAsync(fixture.RconPort);

        Assert.Equal(-1, await client.AuthenticateAsync("wrong", 5));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Command_before_auth_is_refused_and_the_connection_closed()
    {
        await using var client = await RconTestClient.ConnectAsync(fixture.RconPort);

        await client.SendAsync(3, RconTestClient.ExecCommand, "list");
        var reply = await client.ReceiveAsync();

        Assert.Equal((-1, RconTestClient.AuthResponse), (reply.Id, reply.Type));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Echo_command_replies_with_its_text_under_the_request_id()
    {
        await using var client = await fixture.ConnectAuthenticatedAsync();

        await client.SendAsync(11, RconTestClient.ExecCommand, "echo hi");
        var reply = await client.ReceiveAsync();

        Assert.Equal((11, RconTestClient.ResponseValue, "hi"), (reply.Id, reply.Type, reply.Text));
    }

    [Fact]
    public async Task Rcon_commands_are_logged_to_stdout_without_the_password()
    {
        await using var client = await fixture.ConnectAuthenticatedAsync();

        await client.SendAsync(12, RconTestClient.ExecCommand, "echo logged-marker");
        await client.ReceiveAsync();

        await fixture.Server.WaitForLineAsync("[RCON] echo logged-marker");
        Assert.DoesNotContain(fixture.Server.OutputLines, line => line.Contains(RconServerFixture.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Big_reply_is_split_into_fragments_of_at_most_4096_bytes()
    {
        await using var client = await fixture.ConnectAuthenticatedAsync();

        await client.SendAsync(21, RconTestClient.ExecCommand, "big 10000");
        var fragments = new List<RconTestPacket>();
        while (fragments.Sum(f => f.Body.Length) < 10000)
        {
            fragments.Add(await client.ReceiveAsync());
        }

        Assert.Equal([4096, 4096, 1808], fragments.Select(f => f.Body.Length));
        Assert.All(fragments, f => Assert.Equal((21, RconTestClient.ResponseValue), (f.Id, f.Type)));
        var text = string.Concat(fragments.Select(f => f.Text));
        Assert.Matches("^[a-z0-9]{10000}$", text);
    }

    [Fact]
    public async Task Packets_of_other_types_get_no_reply()
    {
        await using var client = await fixture.ConnectAuthenticatedAsync();

        await client.SendAsync(31, RconTestClient.ResponseValue, "");
        await client.SendAsync(32, 200, "echo ignored");
        await client.SendAsync(33, RconTestClient.ExecCommand, "echo answered");
        var reply = await client.ReceiveAsync();

        Assert.Equal((33, "answered"), (reply.Id, reply.Text));
    }

    [Fact]
    public async Task Several_packets_in_one_write_are_all_answered_in_order()
    {
        await using var client = await RconTestClient.ConnectAsync(fixture.RconPort);

        await client.SendRawAsync([
            .. RconTestClient.Encode(1, RconTestClient.Auth, RconServerFixture.Password),
            .. RconTestClient.Encode(2, RconTestClient.ExecCommand, "echo one"),
            .. RconTestClient.Encode(3, RconTestClient.ExecCommand, "echo two"),
        ]);

        Assert.Equal((1, RconTestClient.AuthResponse), Summary(await client.ReceiveAsync()));
        Assert.Equal((2, "one"), Text(await client.ReceiveAsync()));
        Assert.Equal((3, "two"), Text(await client.ReceiveAsync()));
    }

    [Fact]
    public async Task A_packet_split_across_writes_is_reassembled()
    {
        await using var client = await fixture.ConnectAuthenticatedAsync();
        var packet = RconTestClient.Encode(41, RconTestClient.ExecCommand, "echo split packet");

        // Each part is answered only when the next may be sent: the server must wait for the rest.
        await client.SendRawAsync(packet[..2]);
        await client.SendRawAsync(packet[2..9]);
        await client.SendRawAsync(packet[9..]);

        Assert.Equal((41, "split packet"), Text(await client.ReceiveAsync()));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(4096 + 11)]
    [InlineData(-1)]
    public async Task Packet_with_an_out_of_range_size_closes_the_connection(int size)
    {
        await using var client = await fixture.ConnectAuthenticatedAsync();
        var header = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(header, size);

        await client.SendRawAsync(header);

        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Concurrent_connections_are_served_independently()
    {
        await using var first = await fixture.ConnectAuthenticatedAsync();
        await using var second = await fixture.ConnectAuthenticatedAsync();

        // The first connection has half a packet outstanding while the second one is served.
        var packet = RconTestClient.Encode(51, RconTestClient.ExecCommand, "echo first");
        await first.SendRawAsync(packet[..6]);
        await second.SendAsync(52, RconTestClient.ExecCommand, "echo second");
        Assert.Equal((52, "second"), Text(await second.ReceiveAsync()));
        await first.SendRawAsync(packet[6..]);
        Assert.Equal((51, "first"), Text(await first.ReceiveAsync()));
    }

    [Fact]
    public async Task Utf8_text_survives_the_round_trip()
    {
        await using var client = await fixture.ConnectAuthenticatedAsync();

        await client.SendAsync(61, RconTestClient.ExecCommand, "echo grüße ✓");

        Assert.Equal("grüße ✓", (await client.ReceiveAsync()).Text);
    }

    private static (int Id, int Type) Summary(RconTestPacket packet) => (packet.Id, packet.Type);

    private static (int Id, string Text) Text(RconTestPacket packet) => (packet.Id, packet.Text);
}
