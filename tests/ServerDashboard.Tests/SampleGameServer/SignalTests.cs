using ServerDashboard.Testing;
namespace ServerDashboard.Tests.SampleGameServer;

public sealed class SignalTests
{
    [Fact]
    public async Task Sigterm_stops_the_server_gracefully_with_exit_code_zero()
    {
        using var server = await SampleServerProcess.StartReadyAsync("--port", FreePort.Next().ToString(), "--ready-delay-ms", "0");

        server.Signal(SampleServerProcess.Sigterm);

        Assert.Equal(0, await server.WaitForExitAsync());
        var lines = server.OutputLines;
        Assert.Contains(lines, line => line.EndsWith("]: Received SIGTERM, stopping server", StringComparison.Ordinal));
        Assert.EndsWith("]: Stopped", lines[^1]);
    }

    [Fact]
    public async Task Sigterm_during_startup_still_stops_gracefully()
    {
        using var server = SampleServerProcess.Start("--port", FreePort.Next().ToString(), "--ready-delay-ms", "60000");
        await server.WaitForLineAsync("Preparing level");

        server.Signal(SampleServerProcess.Sigterm);

        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.DoesNotContain(server.OutputLines, line => line.Contains("Done (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ignore_sigterm_keeps_the_server_running_after_sigterm()
    {
        using var server = await SampleServerProcess.StartReadyAsync(
            "--port", FreePort.Next().ToString(), "--ready-delay-ms", "0", "--ignore-sigterm");

        server.Signal(SampleServerProcess.Sigterm);
        var ignored = await server.WaitForLineAsync("Ignoring SIGTERM");

        // A command round trip after the signal proves the server is still alive and serving.
        await server.SendLineAsync("echo still here");
        await server.WaitForLineAsync("still here");
        Assert.False(server.HasExited);
        Assert.Contains("WARN", ignored);
        server.Signal(SampleServerProcess.Sigkill);
        Assert.NotEqual(0, await server.WaitForExitAsync());
    }
}
