using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServerDashboard.Data;

namespace ServerDashboard.Notifications;

/// <summary>
/// The persisted delivery queue and log (table WebhookDeliveries): queues deliveries, hands the dispatcher the head of
/// each (webhook, server) line, records each round's outcome with the queue's backoff, and keeps the log bounded.
/// </summary>
public sealed class WebhookDeliveryLog(
    IDbContextFactory<DashboardDbContext> dbFactory,
    DeliverySignal signal,
    IOptionsMonitor<WebhookOptions> options,
    TimeProvider time)
{
    private const int MaxCodesLength = 200;

    /// <summary>The head of one (webhook, server) line: the only delivery of that line that may be sent now.</summary>
    internal sealed record Head(long Id, int WebhookId, int? ServerId, DateTimeOffset NextAttemptAt);

    public async Task<IReadOnlyList<WebhookDeliveryView>?> ListAsync(int webhookId, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await db.Webhooks.AnyAsync(w => w.Id == webhookId, cancellationToken))
        {
            return null;
        }

        return (await db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == webhookId).OrderByDescending(d => d.Id).Take(take)
            .ToListAsync(cancellationToken)).Select(WebhookDeliveryView.From).ToList();
    }

    /// <summary>Queues one delivery per webhook, in one transaction, then wakes the dispatcher.</summary>
    internal async Task EnqueueAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        if (deliveries.Count == 0)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.WebhookDeliveries.AddRange(deliveries);
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
    }

    /// <summary>Stores a delivery the queue must not take up (a test: sent directly, then recorded).</summary>
    internal async Task AddFinishedAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.WebhookDeliveries.Add(delivery);
        await db.SaveChangesAsync(cancellationToken);
    }

    internal async Task<WebhookDeliveryView?> ResendAsync(int webhookId, string deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var original = await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.WebhookId == webhookId && d.DeliveryId == deliveryId, cancellationToken);
        if (original is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var copy = New(webhookId, original.Event, original.ServerId, original.Body, now);
        copy.ResendOf = original.DeliveryId;
        db.WebhookDeliveries.Add(copy);
        await db.SaveChangesAsync(cancellationToken);
        signal.Wake();
        return WebhookDeliveryView.From(copy);
    }

    internal static WebhookDelivery New(int webhookId, string eventName, int? serverId, string body, DateTimeOffset now) => new()
    {
        WebhookId = webhookId,
        DeliveryId = Guid.NewGuid().ToString("D"),
        Event = eventName,
        ServerId = serverId,
        Body = body,
        CreatedAt = now,
        NextAttemptAt = now,
    };

    /// <summary>The oldest pending delivery of each (webhook, server) line: later ones wait for it (per-server order).</summary>
    internal async Task<IReadOnlyList<Head>> HeadsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var pending = await db.WebhookDeliveries.AsNoTracking().Where(d => d.Status == WebhookDeliveryStatus.Pending)
            .OrderBy(d => d.Id).Select(d => new Head(d.Id, d.WebhookId, d.ServerId, d.NextAttemptAt)).ToListAsync(cancellationToken);
        return pending.GroupBy(h => (h.WebhookId, h.ServerId)).Select(g => g.First()).ToList();
    }

    internal async Task<WebhookDelivery?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WebhookDeliveries.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
    }

    /// <summary>
    /// Stores a round's outcome: delivered; failed for good (a permanent refusal, or <see cref="WebhookOptions.MaxRounds"/>
    /// used up, or <paramref name="once"/>); or pending again after the backoff. Then trims the webhook's log.
    /// </summary>
    internal async Task<WebhookDelivery?> RecordAsync(long id, SendResult result, bool once, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delivery is null)
        {
            return null; // its webhook was deleted meanwhile
        }

        var now = time.GetUtcNow();
        delivery.Rounds++;
        delivery.Attempts += result.StatusCodes.Count;
        delivery.StatusCodes = AppendCodes(delivery.StatusCodes, result.StatusCodes);
        delivery.LastStatusCode = result.StatusCode;
        delivery.LastError = result.Error is { } e ? WebhookPayloads.Cut(e, 500) : null;
        if (result.Delivered || result.Permanent || once || delivery.Rounds >= settings.MaxRounds)
        {
            delivery.Status = result.Delivered ? WebhookDeliveryStatus.Delivered : WebhookDeliveryStatus.Failed;
            delivery.CompletedAt = now;
            if (!result.Delivered && !result.Permanent && !once)
            {
                delivery.LastError = WebhookPayloads.Cut($"gave up after {delivery.Rounds} rounds: {delivery.LastError}", 500);
            }
        }
        else
        {
            delivery.NextAttemptAt = now + settings.BackoffAfter(delivery.Rounds);
        }

        await db.SaveChangesAsync(cancellationToken);
        await TrimAsync(db, delivery.WebhookId, Math.Max(1, settings.KeepDeliveries), cancellationToken);
        return delivery;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> finished deliveries of a webhook (pending ones stay).</summary>
    internal static async Task TrimAsync(DashboardDbContext db, int webhookId, int keep, CancellationToken cancellationToken)
    {
        var oldestKept = await db.WebhookDeliveries.Where(d => d.WebhookId == webhookId && d.Status != WebhookDeliveryStatus.Pending)
            .OrderByDescending(d => d.Id).Skip(keep - 1).Select(d => (long?)d.Id).FirstOrDefaultAsync(cancellationToken);
        if (oldestKept is { } kept)
        {
            await db.WebhookDeliveries.Where(d => d.WebhookId == webhookId && d.Status != WebhookDeliveryStatus.Pending && d.Id < kept)
                .ExecuteDeleteAsync(cancellationToken);
        }
    }

    internal static IReadOnlyList<int> ParseCodes(string codes) =>
        codes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => int.TryParse(c, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0).ToList();

    /// <summary>Appends, keeping the newest codes within the column's size.</summary>
    private static string AppendCodes(string existing, IReadOnlyList<int> codes)
    {
        string all = string.Join(' ', new[] { existing }.Where(s => s.Length > 0).Concat(codes.Select(c => c.ToString(CultureInfo.InvariantCulture))));
        while (all.Length > MaxCodesLength)
        {
            all = all[(all.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        }

        return all;
    }
}
