using System.Diagnostics.Metrics;
using ServerDashboard.Jobs;
using ServerDashboard.Logs;
using ServerDashboard.Rcon;
using ServerDashboard.Servers;
using ServerDashboard.Servers.Crashes;

namespace ServerDashboard.Metrics;

/// <summary>
/// Counts what happens between scrapes: state changes (restarts), crash records (crashes, OOM kills), finished jobs,
/// and the Logs/ and Rcon/ meters of this app (lines read and dropped, RCON command durations). Subscriptions only:
/// no work of its own, no timers.
/// </summary>
public sealed class MetricEventSources(
    ServerStatusBoard board,
    CrashFeed crashes,
    JobRunner jobs,
    ServerTotals totals,
    DashboardMetrics metrics,
    IMeterFactory meterFactory) : IHostedService, IDisposable
{
    /// <summary>The message a Restart action puts on its Stopping status (ServerSupervisor.RestartAsync).</summary>
    private const string RestartingMessage = "restarting";

    private readonly Dictionary<int, (ServerState State, bool Restarting)> lastSeen = [];
    private readonly List<IDisposable> subscriptions = [];
    private MeterListener? listener;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (subscriptions)
        {
            subscriptions.Add(board.Subscribe(OnStatus));
            subscriptions.Add(crashes.Subscribe(crash => totals.For(crash.ServerId).AddCrash(crash.Classification == CrashClassification.OomKilled)));
        }

        jobs.Changed += OnJobChanged;

        var created = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // Only this app's meters: another host in the same process (tests) counts its own servers.
                if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Meter.Name is LogMetrics.MeterName or RconMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        created.SetMeasurementEventCallback<long>(OnLongMeasurement);
        created.SetMeasurementEventCallback<double>(OnDoubleMeasurement);
        created.Start();
        lock (subscriptions)
        {
            listener = created;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        // Called by StopAsync and again by the container, which a test host's disposal can run while the first is still
        // going: take the subscriptions out under a lock so each is disposed once and no list is changed while enumerated.
        IDisposable[] taken;
        MeterListener? takenListener;
        lock (subscriptions)
        {
            taken = [.. subscriptions];
            subscriptions.Clear();
            takenListener = listener;
            listener = null;
        }

        jobs.Changed -= OnJobChanged;
        foreach (var subscription in taken)
        {
            subscription.Dispose();
        }

        takenListener?.Dispose();
    }

    /// <summary>
    /// Called under the board's update lock, in order. A restart is a start that follows Backoff (the restart policy)
    /// or a Stopping that a Restart action began; a person's Stop and later Start is two actions, not a restart.
    /// </summary>
    private void OnStatus(ServerStatus status)
    {
        var (previous, restarting) = lastSeen.GetValueOrDefault(status.ServerId, (ServerState.Stopped, false));
        if (status.State == ServerState.Starting && previous != ServerState.Starting && (previous == ServerState.Backoff || restarting))
        {
            totals.For(status.ServerId).AddRestart();
        }

        restarting = status.State switch
        {
            ServerState.Stopping => restarting || status.Message == RestartingMessage,
            ServerState.Stopped => restarting, // a restart passes through Stopped on its way back
            _ => false,
        };
        lastSeen[status.ServerId] = (status.State, restarting);
    }

    private void OnJobChanged(JobEvent change)
    {
        if (change.Finished && change.Record?.Status is { } status && JobStates.IsFinal(status))
        {
            metrics.JobFinished(status);
        }
    }

    private void OnLongMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (ServerIdOf(tags) is not { } serverId)
        {
            return;
        }

        switch (instrument.Name)
        {
            case "serverdashboard.log.lines":
                totals.For(serverId).AddLogLines(value);
                break;
            case "serverdashboard.log.dropped_lines":
                totals.For(serverId).AddDroppedLines(value);
                break;
        }
    }

    private void OnDoubleMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == "serverdashboard.rcon.command.duration" && ServerIdOf(tags) is { } serverId)
        {
            string outcome = "error";
            foreach (var tag in tags)
            {
                if (tag.Key == RconMetrics.OutcomeTag && tag.Value is string s)
                {
                    outcome = s;
                }
            }

            metrics.RconCommandFinished(serverId, value, outcome);
        }
    }

    private static int? ServerIdOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == LogMetrics.ServerIdTag && tag.Value is int id)
            {
                return id;
            }
        }

        return null;
    }
}
