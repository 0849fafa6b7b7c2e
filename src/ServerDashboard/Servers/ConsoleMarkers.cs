using System.Collections.Concurrent;
using System.Globalization;
using ServerDashboard.Data;
using ServerDashboard.Logs;

namespace ServerDashboard.Servers;

/// <summary>
/// "[dashboard] ..." lines in a server's console stream for every power action and state change (Starting, Stopping
/// (SIGTERM)…, Killed (SIGKILL), Crashed: exit code 2 after 4.1 s, Restarting in 8 s, ...), as game panels print daemon
/// status lines. They go into the live log (<see cref="ServerLogHub"/>: every viewer sees them, also after a reconnect),
/// not into console.log, which stays the server's own output. Most are derived from <see cref="ServerStatusBoard"/>
/// transitions; how a stop is asked for is known only where it is sent, so the supervisor reports that one.
/// </summary>
public sealed class ConsoleMarkers : IHostedService, IDisposable
{
    private readonly ServerStatusBoard board;
    private readonly ServerLogHub logs;
    private readonly ConcurrentDictionary<int, ServerStatus> seen = new();
    private readonly Lock appendLock = new();
    private readonly Lock chainLock = new();
    // The last queued line per server: each waits for the one before it, so a server's lines keep their order.
    private readonly Dictionary<int, Task> appends = [];
    private IDisposable? subscription;

    public ConsoleMarkers(ServerStatusBoard board, ServerLogHub logs)
    {
        this.board = board;
        this.logs = logs;
    }

    /// <summary>Subscribes before the supervisor adopts running daemons (hosted services start in registration order).</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var status in board.All)
        {
            seen[status.ServerId] = status;
        }

        subscription ??= board.Subscribe(OnStatusChanged);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        subscription?.Dispose();
        subscription = null;
    }

    /// <summary>
    /// The stop is being asked for: by RCON command or by signal (the definition's stop mode). Completes once the line is
    /// in, so the caller sends the stop after it and the server's shutdown output follows it.
    /// </summary>
    public Task StoppingAsync(ServerDefinition server)
    {
        var how = server is { StopMode: StopMode.Rcon, RconEnabled: true } ? $"RCON \"{server.StopCommand}\""
            : server.StopMode == StopMode.SigInt ? "SIGINT"
            : "SIGTERM";
        return Append(server.Id, $"Stopping ({how})…");
    }

    private void OnStatusChanged(ServerStatus after)
    {
        lock (appendLock)
        {
            var before = seen.GetValueOrDefault(after.ServerId) ?? ServerStatus.StoppedAt(after.ServerId, DateTimeOffset.MinValue);
            if (after.ChangedAt < before.ChangedAt)
            {
                return; // a notification overtaken by a later one (subscribers are called outside the board's lock)
            }

            seen[after.ServerId] = after;
            if (Describe(before, after) is { } text)
            {
                Append(after.ServerId, text);
            }
        }
    }

    /// <summary>The marker text for a transition, or null when it is not worth a line.</summary>
    internal static string? Describe(ServerStatus before, ServerStatus after)
    {
        if (before.State != after.State)
        {
            return after.State switch
            {
                ServerState.Starting => after.Pid is { } pid ? $"Started (pid {pid})" : "Starting…",
                // Re-adoption at dashboard start: no line. The log follower loads the server's earlier output after it, so a
                // line here would sit above output that came before it.
                ServerState.Running when after.LoadedFromDisk && before.State != ServerState.Starting => null,
                ServerState.Running => before.Pid is null && after.Pid is { } pid ? $"Started (pid {pid}), running" : "Running",
                ServerState.Stopping => null, // said by Stopping(server), which knows how
                ServerState.Stopped => Ended(before, after),
                ServerState.Crashed => $"Crashed: {ExitAndUptime(before, after)}",
                ServerState.Error => after.Message is { } message ? $"Error: {message}" : "Error",
                ServerState.Backoff when after.Message is { Length: > 0 } waiting => char.ToUpperInvariant(waiting[0]) + waiting[1..],
                _ => null,
            };
        }

        if (after.State == ServerState.Starting && before.Pid is null && after.Pid is { } started)
        {
            return $"Started (pid {started})";
        }

        if (after.Message is { } changed && changed != before.Message)
        {
            return char.ToUpperInvariant(changed[0]) + changed[1..]; // "restarting in 8 s (OnFailure)", "port 25565 is still in use ..."
        }

        return null;
    }

    private static string Ended(ServerStatus before, ServerStatus after)
    {
        if (after.Message == "did not stop in time: killed")
        {
            return $"Did not stop in time: killed (SIGKILL) after {Uptime(before, after)}";
        }

        if (before.State is ServerState.Running or ServerState.Starting && after.LastExit is { Requested: true })
        {
            return "Killed (SIGKILL)"; // a requested end without a Stopping phase is a kill
        }

        return after.LastExit is { Requested: false } ? $"Exited: {ExitAndUptime(before, after)}"
            : after.LastExit is not null ? $"Stopped: {ExitAndUptime(before, after)}"
            : "Stopped";
    }

    private static string ExitAndUptime(ServerStatus before, ServerStatus after)
    {
        // "unknown": a re-adopted daemon is not our child, so PID 1 reaped it and kept its status.
        var exit = after.LastExit?.Description is { } description and not "unknown" ? description : "exit status unknown";
        return before.StartedAt is null ? exit : $"{exit} after {Uptime(before, after)}";
    }

    private static string Uptime(ServerStatus before, ServerStatus after) =>
        before.StartedAt is { } started ? FormatDuration(after.ChangedAt - started) : "an unknown time";

    /// <summary>"4.1 s", "12 min 5 s", "3 h 12 min", "2 d 4 h".</summary>
    internal static string FormatDuration(TimeSpan duration)
    {
        var d = duration < TimeSpan.Zero ? TimeSpan.Zero : duration;
        return d.TotalSeconds < 60 ? d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
            : d.TotalHours < 1 ? $"{d.Minutes} min {d.Seconds} s"
            : d.TotalDays < 1 ? $"{(int)d.TotalHours} h {d.Minutes} min"
            : $"{(int)d.TotalDays} d {d.Hours} h";
    }

    /// <summary>
    /// Adds the line once the server's files have been read up to now (<see cref="ServerLogHub.CatchUpAsync"/>): the
    /// server's own lines written before the event come before it, also when they were held back because nobody watched.
    /// </summary>
    private Task Append(int serverId, string text)
    {
        lock (chainLock)
        {
            var next = AppendAfterAsync(appends.GetValueOrDefault(serverId) ?? Task.CompletedTask, serverId, "[dashboard] " + text);
            appends[serverId] = next;
            return next;
        }
    }

    private async Task AppendAfterAsync(Task previous, int serverId, string line)
    {
        await previous;
        await logs.CatchUpAsync(serverId);
        logs.Append(serverId, LogMarkers.Source, [line]);
    }
}
