using GameCommandLine = global::SampleGameServer.CommandLine;
using ParsedCommandLine = global::SampleGameServer.ParsedCommandLine;
using RconStyle = global::SampleGameServer.RconStyle;

namespace ServerDashboard.Tests.SampleGameServer;

public sealed class CommandLineTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Theory]
    [InlineData("")]
    [InlineData("--port")]
    [InlineData("--port abc")]
    [InlineData("--port 70000")]
    [InlineData("--port 25565 --bogus")]
    [InlineData("--port 25565 --ready-delay-ms -5")]
    [InlineData("--port 25565 --rcon-port 25575")]
    [InlineData("--port 25565 --rcon-port 25575 --rcon-password x --rcon-style quake")]
    [InlineData("--port 25565 --host not-an-address")]
    public async Task Invalid_arguments_exit_with_code_two_and_print_usage(string commandLine)
    {
        using var server = SampleServerProcess.Start(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, await server.WaitForExitAsync());
        Assert.Contains("error:", server.StandardError);
        Assert.Contains("Usage: SampleGameServer --port P", server.StandardError);
    }

    [Fact]
    public async Task Help_prints_usage_and_exits_with_code_zero()
    {
        using var server = SampleServerProcess.Start("--help");

        Assert.Equal(0, await server.WaitForExitAsync());
        Assert.Contains(server.OutputLines, line => line.StartsWith("Usage:", StringComparison.Ordinal));
    }

    [Fact]
    public void Rcon_password_comes_from_the_environment_when_the_flag_is_missing()
    {
        var parsed = GameCommandLine.Parse(["--port", "1", "--rcon-port", "2"], name => name == "RCON_PASSWORD" ? "from-env" : null);

        var run = Assert.IsType<ParsedCommandLine.Run>(parsed);
        Assert.Equal("from-env", run.Options.Rcon?.Password);
        Assert.Equal(RconStyle.Minecraft, run.Options.Rcon?.Style);
    }

    [Fact]
    public void Rcon_password_flag_wins_over_the_environment()
    {
        var parsed = GameCommandLine.Parse(
            ["--port", "1", "--rcon-port", "2", "--rcon-password", "from-flag", "--rcon-style=source"], _ => "from-env");

        var run = Assert.IsType<ParsedCommandLine.Run>(parsed);
        Assert.Equal("from-flag", run.Options.Rcon?.Password);
        Assert.Equal(RconStyle.Source, run.Options.Rcon?.Style);
    }

    [Fact]
    public void Defaults_match_the_documentation()
    {
        var run = Assert.IsType<ParsedCommandLine.Run>(GameCommandLine.Parse(["--port=25565"], NoEnvironment));

        Assert.Equal(25565, run.Options.Port);
        Assert.Equal("127.0.0.1", run.Options.Host.ToString());
        Assert.Equal(TimeSpan.FromMilliseconds(500), run.Options.ReadyDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), run.Options.HeartbeatInterval);
        Assert.False(run.Options.IgnoreSigterm);
        Assert.Null(run.Options.Rcon);
    }
}
