using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ServerDashboard.Data;

namespace ServerDashboard.Notifications;

/// <summary>
/// Sends queued deliveries. Each (webhook, server) line is sent strictly in order: only its oldest pending delivery is
/// taken up, and only once its <see cref="WebhookDelivery.NextAttemptAt"/> (on <see cref="TimeProvider"/>) has come.
/// Lines are independent, so one dead receiver or one server's backlog holds up nothing else. A round that fails is
/// retried after the queue's backoff; a restart finds the queue in the store and goes on (at least once: a round cut
/// short by the restart is sent again under the same delivery id).
/// </summary>
public sealed class WebhookDispatcher(
    WebhookDeliveryLog log,
    WebhookRegistry registry,
    WebhookSender sender,
    DeliverySignal signal,
    IOptionsMonitor<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>A store that keeps failing is retried this often (it would also be woken by a new delivery).</summary>
    private static readonly TimeSpan StoreRetry = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan? wait;
            try
            {
                wait = await DeliverDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The webhook queue could not be read; trying again in {Seconds} s", StoreRetry.TotalSeconds);
                wait = StoreRetry;
            }

            if (wait == TimeSpan.Zero)
            {
                continue;
            }

            // Sleep until the next head is due (or forever with nothing queued), unless a new delivery wakes us first.
            using var timer = wait is { } w ? new CancellationTokenSource(w, time) : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, stoppingToken);
            await signal.WaitAsync(linked.Token);
        }
    }

    /// <summary>
    /// Sends every due head once. Returns how long until the next head is due: zero to look again now (something moved),
    /// null for nothing queued. When nothing due could be processed (a store error) it waits <see cref="StoreRetry"/>
    /// rather than spinning.
    /// </summary>
    internal async Task<TimeSpan?> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var heads = await log.HeadsAsync(cancellationToken);
        var now = time.GetUtcNow();
        var due = heads.Where(h => h.NextAttemptAt <= now).ToList();
        if (due.Count > 0)
        {
            int moved = 0;
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.CurrentValue.MaxParallel), CancellationToken = cancellationToken },
                async (head, ct) =>
                {
                    if (await DeliverAsync(head.Id, ct))
                    {
                        Interlocked.Increment(ref moved);
                    }
                });
            return moved > 0 ? TimeSpan.Zero : StoreRetry;
        }

        return heads.Count == 0 ? null : heads.Min(h => h.NextAttemptAt) - now;
    }

    /// <summary>One round for one delivery; false when it could not be processed (it stays queued as it was).</summary>
    private async Task<bool> DeliverAsync(long id, CancellationToken cancellationToken)
    {
        try
        {
            var delivery = await log.GetAsync(id, cancellationToken);
            if (delivery is not { Status: WebhookDeliveryStatus.Pending })
            {
                return true; // finished or deleted meanwhile
            }

            (Webhook Hook, string? Secret)? target;
            try
            {
                target = await registry.LoadForSendingAsync(delivery.WebhookId, cancellationToken);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // The data-protection keys under <dataDir>/keys changed: sending unsigned would mislead the receiver.
                await log.RecordAsync(id, new SendResult(false, true, null, [], "the secret cannot be decrypted (data protection keys changed): set it again"),
                    once: false, cancellationToken);
                return true;
            }

            if (target is not { } found)
            {
                return false;
            }

            var result = await sender.SendAsync(found.Hook.Url, delivery.Event, delivery.DeliveryId, delivery.Body, found.Secret, cancellationToken);
            var after = await log.RecordAsync(id, result, once: false, cancellationToken);
            if (after is { Status: WebhookDeliveryStatus.Failed })
            {
                logger.LogWarning("Webhook {WebhookId}: gave up delivery {DeliveryId} ({Event}) after {Rounds} rounds: {Error}",
                    after.WebhookId, after.DeliveryId, after.Event, after.Rounds, after.LastError);
            }

            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down mid-round: the delivery stays pending and goes out again after the restart, same id.
            return false;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Webhook delivery {Id} could not be processed; it stays queued", id);
            return false;
        }
    }

    /// <summary>
    /// The Test action: sends a <c>webhook.test</c> event now, once (the resilience handler's quick retries apply, the
    /// queue's do not), and records it in the delivery log. Null when the webhook does not exist.
    /// </summary>
    public async Task<WebhookDeliveryView?> TestAsync(int webhookId, string requestedBy, CancellationToken cancellationToken)
    {
        (Webhook Hook, string? Secret)? loaded;
        try
        {
            loaded = await registry.LoadForSendingAsync(webhookId, cancellationToken);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException("The webhook's secret cannot be decrypted (data protection keys changed): set it again.");
        }

        if (loaded is not { } target)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var test = new NotificationEvent(WebhookEvents.Test, null, now, "Test delivery", $"A test from ServerDashboard, sent by {requestedBy}.",
            EventTone.Info, new JsonObject { ["requestedBy"] = requestedBy }, [("Requested by", requestedBy)]);
        var delivery = WebhookDeliveryLog.New(webhookId, WebhookEvents.Test, null, WebhookPayloads.Build(target.Hook.Format, test, null), now);
        delivery.Status = WebhookDeliveryStatus.Failed; // stored as finished: the queue never takes a test up
        delivery.CompletedAt = now;
        await log.AddFinishedAsync(delivery, cancellationToken);
        var result = await sender.SendAsync(target.Hook.Url, delivery.Event, delivery.DeliveryId, delivery.Body, target.Secret, cancellationToken);
        var recorded = await log.RecordAsync(delivery.Id, result, once: true, cancellationToken);
        return recorded is null ? null : WebhookDeliveryView.From(recorded);
    }
}
