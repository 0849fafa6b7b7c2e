using ServerDashboard.Testing;
namespace ServerDashboard.Tests.SampleGameServer;

public sealed class ConsoleCommandTests
{
    private static Task<SampleServerProcess> StartAsync() =>
        SampleServerProcess.StartReadyAsync("--port", FreePort.Next().ToString(), "--ready-delay-ms", "0", "--heartbeat-ms", "0");

    [Fact]
    public async Task Say_prints_a_server_broadcast_line()
    {
        using var server = await StartAsync();

        await server.SendLineAsync("say hello there");

        Assert.EndsWith("INFO]: [Server] hello there", await server.WaitForLineAsync("[Server] hello there"));
    }

    [Fact]
    public async Task List_prints_the_online_player_count()
    {
        using var server = await StartAsync();

        await server.SendLineAsync("list");

        await server.WaitForLineAsync("There are 0 of a max of 20 players online:");
    }

    [Fact]
    public async Task Echo_big_and_spam_print_what_they_promise()
    {
        using var server = await StartAsync();

        await server.SendLineAsync("echo some text");
        await server.SendLineAsync("big 5000");
        await server.SendLineAsync("spam 3");
        await server.WaitForLineAsync("spam 3/3");

        var lines = server.OutputLines;
        Assert.Contains(lines, line => line.EndsWith("]: some text", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Length > 5000 && line[(line.IndexOf("]: ", StringComparison.Ordinal) + 3)..].Length == 5000);
        Assert.Contains(lines, line => line.EndsWith("]: spam 1/3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_command_prints_the_minecraft_hint()
    {
        using var server = await StartAsync();

        await server.SendLineAsync("fly");

        await server.WaitForLineAsync("Unknown command. Type \"help\" for help.");
    }

    [Fact]
    public async Task Stop_command_exits_with_code_zero_after_a_stopping_line()
    {
        using var server = await StartAsync();

        await server.SendLineAsync("stop");

        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains(server.OutputLines, line => line.EndsWith("]: Stopping server", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Crash_command_exits_with_the_given_code()
    {
        using var server = await StartAsync();

        await server.SendLineAsync("crash 3");

        Assert.Equal(3, await server.WaitForExitAsync());
        Assert.Contains(server.OutputLines, line => line.Contains("Simulated crash, exiting with code 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Crash_command_without_a_code_exits_with_one()
    {
        using var server = await StartAsync();

        await server.SendLineAsync("crash");

        Assert.Equal(1, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task End_of_stdin_does_not_stop_the_server()
    {
        using var server = await StartAsync();

        server.CloseStandardInput();
        await server.WaitForLineAsync("Console input closed");

        // Still serving: the game port answers and SIGTERM still stops it gracefully.
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(System.Net.IPAddress.Loopback, GamePortOf(server));
        Assert.False(server.HasExited);
        server.Signal(SampleServerProcess.Sigterm);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task Commands_sent_before_the_server_is_ready_run_once_it_is()
    {
        using var server = SampleServerProcess.Start("--port", FreePort.Next().ToString(), "--ready-delay-ms", "300");

        await server.SendLineAsync("echo early bird");
        var echo = await server.WaitForLineAsync("early bird");
        var done = server.OutputLines.ToList().FindIndex(line => line.Contains("Done (", StringComparison.Ordinal));

        Assert.InRange(done, 0, server.OutputLines.ToList().IndexOf(echo));
    }

    private static int GamePortOf(SampleServerProcess server)
    {
        var line = server.OutputLines.First(l => l.Contains("Starting game server on ", StringComparison.Ordinal));
        return int.Parse(line[(line.LastIndexOf(':') + 1)..]);
    }
}
