namespace ServerDashboard.Tests.SampleGameServer;

public sealed class RconSourceStyleTests(SourceRconServerFixture fixture) : IClassFixture<SourceRconServerFixture>
{
    [Fact]
    public async Task Auth_gets_an_empty_response_value_before_the_auth_response()
    {
        await using var client = await RconTestClient.ConnectAsync(fixture.RconPort);

        await client.SendAsync(9, RconTestClient.Auth, RconServerFixture.Password);
        var first = await client.ReceiveAsync();
        var second = await client.ReceiveAsync();

        Assert.Equal((9, RconTestClient.ResponseValue, 0), (first.Id, first.Type, first.Body.Length));
        Assert.Equal((9, RconTestClient.AuthResponse, 0), (second.Id, second.Type, second.Body.Length));
    }

    [Fact]
    public async Task Wrong_password_gets_auth_response_id_minus_one_and_the_connection_closed()
    {
        await using var client = await RconTestClient.ConnectAsync(fixture.RconPort);

        await client.SendAsync(9, RconTestClient.Auth, "nope");
        var first = await client.ReceiveAsync();
        var second = await client.ReceiveAsync();

        Assert.Equal(RconTestClient.ResponseValue, first.Type);
        Assert.Equal((-1, RconTestClient.AuthResponse), (second.Id, second.Type));
        Assert.True(await client.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Response_value_from_the_client_is_mirrored_after_the_command_reply()
    {
        await using var client = await fixture.ConnectAuthenticatedAsync();

        // The "empty packet trick": the mirror marks the end of a possibly multi-packet reply.
        await client.SendAsync(70, RconTestClient.ExecCommand, "big 5000");
        await client.SendAsync(71, RconTestClient.ResponseValue, "");
        var packets = new List<RconTestPacket>();
        do
        {
            packets.Add(await client.ReceiveAsync());
        }
        while (packets[^1].Id != 71);

        Assert.Equal([(70, 4096), (70, 904), (71, 0)], packets.Select(p => (p.Id, p.Body.Length)));
        Assert.All(packets, p => Assert.Equal(RconTestClient.ResponseValue, p.Type));
    }

    [Fact]
    public async Task Echo_command_replies_with_its_text()
    {
        await using var client = await fixture.ConnectAuthenticatedAsync();

        await client.SendAsync(80, RconTestClient.ExecCommand, "echo source says hi");
        var reply = await client.ReceiveAsync();

        Assert.Equal((80, RconTestClient.ResponseValue, "source says hi"), (reply.Id, reply.Type, reply.Text));
    }
}
