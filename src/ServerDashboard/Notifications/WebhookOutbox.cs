using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Notifications;

/// <summary>
/// Moves events from the in-memory <see cref="NotificationQueue"/> into the persisted queue: one delivery per webhook that
/// wants the event, its body built now in the webhook's format. Events are stored one at a time in the order they
/// came, so delivery ids grow in that order (the dispatcher's per-server order rests on it). On shutdown it stores
/// what is still in memory before it stops.
/// </summary>
public sealed class WebhookOutbox(
    NotificationQueue queue,
    IDbContextFactory<DashboardDbContext> dbFactory,
    WebhookDeliveryLog log,
    TimeProvider time,
    ILogger<WebhookOutbox> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in queue.Reader.ReadAllAsync(stoppingToken))
            {
                // Not cancelled by shutdown: an event taken from memory is stored (a few milliseconds), never dropped half-way.
                await StoreAsync(e, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: what happened up to now still gets queued (the dispatcher sends it after the restart).
        using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        while (queue.Reader.TryRead(out var pending))
        {
            await StoreAsync(pending, last.Token);
        }
    }

    /// <summary>
    /// Stores the event's deliveries; a store error is tried again (<see cref="StoreAttempts"/> in all) before the event is
    /// given up with an error in the log: a store that is unavailable for a moment (a PostgreSQL restart, a locked SQLite
    /// file) must not cost the event. (Added when a backup.finished event was lost to a "disk I/O error"; that cause, the
    /// dashboard's SQLite locks dropped by a file check, is fixed in <c>LinuxNative.TryStatNoFollow</c>.)
    /// </summary>
    internal async Task StoreAsync(NotificationEvent e, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TryStoreAsync(e, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or DbUpdateException && attempt < StoreAttempts && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Queueing the {Event} event of server {ServerId} for webhooks failed (attempt {Attempt} of {Attempts}: {Error}); trying again",
                    e.Name, e.ServerId, attempt, StoreAttempts, (ex.InnerException ?? ex).Message);
                await Task.Delay(StoreRetryDelay * attempt, time, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Could not queue the {Event} event of server {ServerId} for webhooks", e.Name, e.ServerId);
                return;
            }
        }
    }

    internal const int StoreAttempts = 4;
    private static readonly TimeSpan StoreRetryDelay = TimeSpan.FromMilliseconds(250);

    private async Task TryStoreAsync(NotificationEvent e, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hooks = (await db.Webhooks.AsNoTracking().Select(w => new { w.Id, w.Events, w.Format }).ToListAsync(cancellationToken))
            .Where(w => w.Events.Count == 0 || w.Events.Contains(e.Name))
            .ToList();
        if (hooks.Count == 0)
        {
            return;
        }

        string? serverName = e.ServerId is { } id
            ? await db.Servers.AsNoTracking().Where(s => s.Id == id).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken)
            : null;
        var now = time.GetUtcNow();
        var bodies = new Dictionary<string, string>();
        var deliveries = hooks.Select(h =>
        {
            if (!bodies.TryGetValue(h.Format, out var body))
            {
                bodies[h.Format] = body = WebhookPayloads.Build(h.Format, e, serverName);
            }

            return WebhookDeliveryLog.New(h.Id, e.Name, e.ServerId, body, now);
        }).ToList();
        await log.EnqueueAsync(deliveries, cancellationToken);
    }
}
