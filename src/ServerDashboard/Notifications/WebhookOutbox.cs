using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Notifications;

/// <summary>
/// Moves events from the in-memory <see cref="NotificationQueue"/> into the persisted queue: one delivery per webhook that
/// wants the event, its body built now in the webhook's format. Events are stored in the order they came, so delivery
/// ids grow in that order (the dispatcher's per-server order rests on it): everything waiting in memory is taken as one
/// batch, with one look at the webhooks and one save (a hundred servers starting at once make four hundred events; one
/// query and one context each was a fifth of the dashboard's database commands for those starts). On shutdown it stores
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
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // Not cancelled by shutdown: events taken from memory are stored (a few milliseconds), never dropped half-way.
                await StoreAsync(TakeBatch(), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: what happened up to now still gets queued (the dispatcher sends it after the restart).
        using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        while (TakeBatch() is { Count: > 0 } pending)
        {
            await StoreAsync(pending, last.Token);
        }
    }

    /// <summary>At most this many events per batch: one save stays short, and a flood still moves in order.</summary>
    internal const int MaxBatch = 500;

    private List<NotificationEvent> TakeBatch()
    {
        var batch = new List<NotificationEvent>();
        while (batch.Count < MaxBatch && queue.Reader.TryRead(out var e))
        {
            batch.Add(e);
        }

        return batch;
    }

    internal Task StoreAsync(NotificationEvent e, CancellationToken cancellationToken) => StoreAsync([e], cancellationToken);

    /// <summary>
    /// Stores the event's deliveries; a store error is tried again (<see cref="StoreAttempts"/> in all) before the event is
    /// given up with an error in the log: a store that is unavailable for a moment (a PostgreSQL restart, a locked SQLite
    /// file) must not cost the event. (Added when a backup.finished event was lost to a "disk I/O error"; that cause, the
    /// dashboard's SQLite locks dropped by a file check, is fixed in <c>LinuxNative.TryStatNoFollow</c>.)
    /// </summary>
    internal async Task StoreAsync(IReadOnlyList<NotificationEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TryStoreAsync(events, cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or DbUpdateException && attempt < StoreAttempts && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Queueing {Count} event(s) for webhooks ({Event} of server {ServerId} first) failed (attempt {Attempt} of {Attempts}: {Error}); trying again",
                    events.Count, events[0].Name, events[0].ServerId, attempt, StoreAttempts, (ex.InnerException ?? ex).Message);
                await Task.Delay(StoreRetryDelay * attempt, time, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // One line for the batch (up to 500 events), naming what was lost.
                logger.LogError(ex, "Could not queue {Count} event(s) for webhooks; lost: {Events}", events.Count,
                    string.Join(", ", events.Take(20).Select(e => e.ServerId is { } id ? $"{e.Name} (server {id})" : e.Name)) + (events.Count > 20 ? ", …" : ""));
                return;
            }
        }
    }

    internal const int StoreAttempts = 4;
    private static readonly TimeSpan StoreRetryDelay = TimeSpan.FromMilliseconds(250);

    private async Task TryStoreAsync(IReadOnlyList<NotificationEvent> events, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hooks = await db.Webhooks.AsNoTracking().Select(w => new { w.Id, w.Events, w.Format }).ToListAsync(cancellationToken);
        if (hooks.Count == 0)
        {
            return;
        }

        var serverNames = new Dictionary<int, string?>();
        var now = time.GetUtcNow();
        var deliveries = new List<WebhookDelivery>();
        foreach (var e in events)
        {
            var wanting = hooks.Where(w => w.Events.Count == 0 || w.Events.Contains(e.Name)).ToList();
            if (wanting.Count == 0)
            {
                continue;
            }

            string? serverName = null;
            if (e.ServerId is { } id && !serverNames.TryGetValue(id, out serverName))
            {
                serverNames[id] = serverName = await db.Servers.AsNoTracking().Where(s => s.Id == id).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken);
            }

            var bodies = new Dictionary<string, string>();
            foreach (var h in wanting)
            {
                if (!bodies.TryGetValue(h.Format, out var body))
                {
                    bodies[h.Format] = body = WebhookPayloads.Build(h.Format, e, serverName);
                }

                deliveries.Add(WebhookDeliveryLog.New(h.Id, e.Name, e.ServerId, body, now));
            }
        }

        await log.EnqueueAsync(deliveries, cancellationToken); // one save, in event order: ids grow as the events came
    }
}
