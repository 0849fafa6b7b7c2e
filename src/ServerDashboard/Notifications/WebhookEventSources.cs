using System.Collections.Concurrent;
using ServerDashboard.Jobs;
using ServerDashboard.Ports;
using ServerDashboard.Servers;
using ServerDashboard.Servers.Crashes;

namespace ServerDashboard.Notifications;

/// <summary>
/// Listens to the parts that report events — the status board (state and health), the crash feed, the job runner and
/// the start-up port check — and publishes them to the <see cref="NotificationQueue"/>. Handlers only publish: the
/// board calls them under its update lock, which is also what keeps one server's events in the order they happened.
/// </summary>
public sealed class WebhookEventSources(
    ServerStatusBoard board,
    CrashFeed crashes,
    JobRunner jobs,
    BackupService backups,
    PortFindings ports,
    NotificationQueue queue,
    ILogger<WebhookEventSources> logger) : IHostedService
{
    private readonly ConcurrentDictionary<int, (ServerState State, bool? Healthy)> seen = new();
    private IDisposable[] subscriptions = [];
    private int portsReported;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var status in board.All)
        {
            seen[status.ServerId] = (status.State, status.Health?.Healthy);
        }

        subscriptions = [board.Subscribe(OnStatus), crashes.Subscribe(crash => queue.Publish(NotificationEventFactory.Crashed(crash)))];
        jobs.Changed += OnJob;
        ports.Checked += OnPortsChecked;
        if (ports.CheckedAt is { } at)
        {
            OnPortsChecked(ports.Current, at); // the check ran before we listened
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        ports.Checked -= OnPortsChecked;
        jobs.Changed -= OnJob;
        // Stop can run twice at once: a host started by the test server (WebApplicationFactory) is stopped by the factory
        // and by the app's own run loop, which sees the stop begin. Taking the array in one step makes that safe; it used
        // to be a List enumerated by one call while the other cleared it ("Collection was modified" in CI).
        foreach (var subscription in Interlocked.Exchange(ref subscriptions, []))
        {
            subscription.Dispose();
        }
        return Task.CompletedTask;
    }

    /// <summary>A state change is an event; so is health turning bad, and turning good again after being bad.</summary>
    private void OnStatus(ServerStatus status)
    {
        var before = seen.TryGetValue(status.ServerId, out var b) ? b : ((ServerState State, bool? Healthy)?)null;
        bool? healthy = status.Health?.Healthy;
        seen[status.ServerId] = (status.State, healthy);
        if (before?.State != status.State)
        {
            queue.Publish(NotificationEventFactory.StateChanged(before?.State, status));
        }

        if (status.Health is { } health && healthy != before?.Healthy && (!health.Healthy || before?.Healthy == false))
        {
            queue.Publish(NotificationEventFactory.HealthChanged(status.ServerId, health));
        }
    }

    private void OnJob(JobEvent e)
    {
        if (!e.Finished || e.Record is not { } job)
        {
            return;
        }

        queue.Publish(NotificationEventFactory.JobFinished(job));
        if (job.Type == BackupJobs.TypeName && job.ServerId is { } serverId)
        {
            BackupInfo? newest = null;
            try
            {
                newest = job.Status == JobStates.Succeeded ? backups.List(serverId).FirstOrDefault() : null;
            }
            catch (IOException ex)
            {
                logger.LogWarning(ex, "Could not list the backups of server {ServerId} for the backup.finished event", serverId);
            }

            queue.Publish(NotificationEventFactory.BackupFinished(job, newest));
        }
    }

    /// <summary>The start-up check runs once; each conflicting port is one event (reported once, whoever saw it first).</summary>
    private void OnPortsChecked(IReadOnlyList<PortFinding> findings, DateTimeOffset at)
    {
        if (Interlocked.Exchange(ref portsReported, 1) == 1)
        {
            return;
        }

        foreach (var finding in findings)
        {
            queue.Publish(NotificationEventFactory.PortConflict(finding, at));
        }
    }
}
