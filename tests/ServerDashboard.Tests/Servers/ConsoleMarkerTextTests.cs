using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Servers;

/// <summary>The wording of the console's "[dashboard]" lines for transitions the integration tests cannot provoke cheaply.</summary>
public sealed class ConsoleMarkerTextTests
{
    private static readonly DateTimeOffset Started = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(4.1, "4.1 s")]
    [InlineData(725, "12 min 5 s")]
    [InlineData(11_520, "3 h 12 min")]
    [InlineData(187_200, "2 d 4 h")]
    public void Durations_read_like_a_person_would_say_them(double seconds, string expected) =>
        Assert.Equal(expected, ConsoleMarkers.FormatDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void A_stop_that_timed_out_says_it_was_killed()
    {
        var stopping = Status(ServerState.Stopping, pid: 42, startedAt: Started);
        var stopped = Status(ServerState.Stopped, changedAt: Started.AddSeconds(30), message: "did not stop in time: killed",
            lastExit: new LastExit("Signal", null, 9, Started.AddSeconds(30), true, "killed by signal 9 (SIGKILL)"));

        Assert.Equal("Did not stop in time: killed (SIGKILL) after 30.0 s", ConsoleMarkers.Describe(stopping, stopped));
    }

    [Fact]
    public void Readoption_says_nothing_and_an_adopted_daemons_unknown_exit_is_named_as_such()
    {
        var adopted = Status(ServerState.Running, pid: 42, startedAt: Started, loadedFromDisk: true);
        var stopped = Status(ServerState.Stopped, changedAt: Started.AddMinutes(2),
            lastExit: new LastExit("Unknown", null, null, Started.AddMinutes(2), true, "unknown"));

        Assert.Null(ConsoleMarkers.Describe(Status(ServerState.Stopped), adopted)); // its earlier output is loaded after it
        Assert.Equal("Stopped: exit status unknown after 2 min 0 s",
            ConsoleMarkers.Describe(adopted with { State = ServerState.Stopping }, stopped));
    }

    [Fact]
    public void A_refused_start_says_why_and_an_unchanged_status_says_nothing()
    {
        var error = Status(ServerState.Error, message: "Cannot start 'x': its game port 25565 is already in use by pid 7 (java).");

        Assert.Equal("Error: Cannot start 'x': its game port 25565 is already in use by pid 7 (java).",
            ConsoleMarkers.Describe(Status(ServerState.Stopped), error));
        Assert.Null(ConsoleMarkers.Describe(error, error));
    }

    private static ServerStatus Status(
        ServerState state,
        int? pid = null,
        DateTimeOffset? startedAt = null,
        bool loadedFromDisk = false,
        LastExit? lastExit = null,
        string? message = null,
        DateTimeOffset? changedAt = null) =>
        new(1, state, pid, startedAt, loadedFromDisk, lastExit, message, changedAt ?? Started);
}
