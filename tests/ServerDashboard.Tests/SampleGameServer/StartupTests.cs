using ServerDashboard.Testing;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace ServerDashboard.Tests.SampleGameServer;

public sealed partial class StartupTests
{
    [Fact]
    public void Apphost_is_copied_into_the_test_output()
    {
        Assert.True(File.Exists(SampleServerProcess.ExecutablePath), $"missing {SampleServerProcess.ExecutablePath}");
    }

    [Fact]
    public async Task Done_line_appears_in_minecraft_format_after_the_startup_lines()
    {
        using var server = SampleServerProcess.Start("--port", FreePort.Next().ToString(), "--name", "Alpha", "--ready-delay-ms", "50");

        var done = await server.WaitForLineAsync("Done (");

        Assert.Matches(DoneLine(), done);
        var lines = server.OutputLines;
        Assert.Contains(lines, line => line.Contains("Starting sample game server \"Alpha\" version", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("Preparing level \"world\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Game_port_accepts_a_connection_greets_it_and_counts_it_as_a_player()
    {
        var port = FreePort.Next();
        using var server = await SampleServerProcess.StartReadyAsync("--port", port.ToString(), "--ready-delay-ms", "0");
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);

        var greeting = await reader.ReadLineAsync().WaitAsync(SampleServerProcess.DefaultTimeout);
        var mark = server.LineCount;
        await server.SendLineAsync("list");
        var list = await server.WaitForLineAsync("players online", mark);

        Assert.StartsWith("Welcome to", greeting);
        Assert.Contains("There are 1 of a max of 20 players online: player1", list);
    }

    [Fact]
    public async Task Game_connections_are_told_the_server_closed_and_then_closed_on_stop()
    {
        var port = FreePort.Next();
        using var server = await SampleServerProcess.StartReadyAsync("--port", port.ToString(), "--ready-delay-ms", "0");
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
        await reader.ReadLineAsync().WaitAsync(SampleServerProcess.DefaultTimeout);

        await server.SendLineAsync("stop");
        var goodbye = await reader.ReadLineAsync().WaitAsync(SampleServerProcess.DefaultTimeout);
        var end = await reader.ReadLineAsync().WaitAsync(SampleServerProcess.DefaultTimeout);

        Assert.Equal("Server closed", goodbye);
        Assert.Null(end);
        Assert.Equal(0, await server.WaitForExitAsync());
    }

    [Fact]
    public async Task Heartbeat_lines_are_printed_periodically()
    {
        using var server = await SampleServerProcess.StartReadyAsync(
            "--port", FreePort.Next().ToString(), "--ready-delay-ms", "0", "--heartbeat-ms", "100");

        var first = await server.WaitForLineAsync("Heartbeat:");
        var index = server.OutputLines.ToList().IndexOf(first);
        await server.WaitForLineAsync("Heartbeat:", index + 1);
    }

    [Fact]
    public async Task Port_already_in_use_exits_with_code_one_and_a_clear_error()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var port = ((IPEndPoint)occupier.LocalEndpoint).Port;
        using var server = SampleServerProcess.Start("--port", port.ToString());

        var exitCode = await server.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains($"cannot bind the game port 127.0.0.1:{port}: address already in use", server.StandardError);
    }

    [Fact]
    public async Task Spawned_child_keeps_running_after_the_server_stops()
    {
        using var server = await SampleServerProcess.StartReadyAsync(
            "--port", FreePort.Next().ToString(), "--ready-delay-ms", "0", "--spawn-child");
        var line = await server.WaitForLineAsync("Spawned child pid ");
        var childPid = int.Parse(line[(line.LastIndexOf(' ') + 1)..]);
        try
        {
            await server.SendLineAsync("stop");
            Assert.Equal(0, await server.WaitForExitAsync());

            Assert.True(Directory.Exists($"/proc/{childPid}"), "the grandchild should outlive the server");
        }
        finally
        {
            // The server no longer owns the child, so Dispose's tree kill would miss it.
            using var child = System.Diagnostics.Process.GetProcessById(childPid);
            child.Kill();
        }
    }

    [GeneratedRegex("""^\[\d\d:\d\d:\d\d INFO\]: Done \(\d+\.\d{3}s\)! For help, type "help"$""")]
    private static partial Regex DoneLine();
}
