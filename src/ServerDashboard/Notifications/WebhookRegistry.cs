using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServerDashboard.Audit;
using ServerDashboard.Data;

namespace ServerDashboard.Notifications;

/// <summary>
/// <c>POST/PUT /api/v1/webhooks</c>: <c>{ "url", "events", "secret", "format" }</c>. Empty <c>events</c> means all. On
/// PUT a null (or absent) <c>secret</c> keeps the current one and <c>""</c> removes it.
/// </summary>
public sealed record WebhookInput(string? Url, List<string>? Events, string? Secret, string? Format);

/// <summary>A webhook as the API shows it: the secret never, only whether one is set.</summary>
public sealed record WebhookView(int Id, string Url, IReadOnlyList<string> Events, string Format, bool HasSecret, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WebhookView From(Webhook w) => new(w.Id, w.Url, w.Events, w.Format, w.ProtectedSecret is not null, w.CreatedAt, w.UpdatedAt);
}

/// <summary>One line of a webhook's delivery log.</summary>
/// <param name="StatusCodes">Each HTTP request's status code, oldest first (0: no response).</param>
public sealed record WebhookDeliveryView(
    long Id, string DeliveryId, string Event, int? ServerId, string Status, int Attempts, IReadOnlyList<int> StatusCodes, int? LastStatusCode,
    string? Error, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? CompletedAt, string? ResendOf)
{
    public static WebhookDeliveryView From(WebhookDelivery d) => new(
        d.Id, d.DeliveryId, d.Event, d.ServerId, d.Status, d.Attempts, WebhookDeliveryLog.ParseCodes(d.StatusCodes), d.LastStatusCode, d.LastError,
        d.CreatedAt, d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null, d.CompletedAt, d.ResendOf);
}

/// <summary>The outcome of a create or update: the webhook, or the field errors (keys as in the body), or not found.</summary>
public sealed record WebhookChange(WebhookView? Webhook, Dictionary<string, string[]> Errors, bool NotFound = false);

/// <summary>The audit action names of webhooks.</summary>
public static class WebhookAuditActions
{
    public const string Create = AuditActions.CreateWebhook;
    public const string Update = AuditActions.UpdateWebhook;
    public const string Delete = AuditActions.DeleteWebhook;
    public const string Resend = AuditActions.ResendWebhook;
    public const string Test = AuditActions.TestWebhook;
}

/// <summary>Registers, changes and removes webhooks (Admins only), with the secret protected at rest.</summary>
public sealed class WebhookRegistry(
    IDbContextFactory<DashboardDbContext> dbFactory,
    IDataProtectionProvider protection,
    WebhookDeliveryLog log,
    AuditLog audit,
    TimeProvider time)
{
    public const int MaxSecretLength = 256;
    private const string ProtectedPrefix = "dp1:";

    private readonly IDataProtector protector = protection.CreateProtector("ServerDashboard.WebhookSecret.v1");

    public async Task<IReadOnlyList<WebhookView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await db.Webhooks.AsNoTracking().OrderBy(w => w.Id).ToListAsync(cancellationToken)).Select(WebhookView.From).ToList();
    }

    public async Task<WebhookView?> GetAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, cancellationToken) is { } w ? WebhookView.From(w) : null;
    }

    public async Task<WebhookChange> CreateAsync(WebhookInput input, AuditActor actor, CancellationToken cancellationToken)
    {
        var (errors, events, format) = Validate(input);
        if (errors.Count > 0)
        {
            return new WebhookChange(null, errors);
        }

        var now = time.GetUtcNow();
        var hook = new Webhook
        {
            Url = input.Url!.Trim(),
            Events = events,
            Format = format,
            ProtectedSecret = string.IsNullOrEmpty(input.Secret) ? null : Protect(input.Secret),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Webhooks.Add(hook);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, WebhookAuditActions.Create, Describe(hook), true, "created");
        return new WebhookChange(WebhookView.From(hook), []);
    }

    public async Task<WebhookChange> UpdateAsync(int id, WebhookInput input, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (hook is null)
        {
            return new WebhookChange(null, [], NotFound: true);
        }

        var (errors, events, format) = Validate(input);
        if (errors.Count > 0)
        {
            return new WebhookChange(null, errors);
        }

        hook.Url = input.Url!.Trim();
        hook.Events = events;
        hook.Format = format;
        if (input.Secret is not null)
        {
            hook.ProtectedSecret = input.Secret.Length == 0 ? null : Protect(input.Secret);
        }

        hook.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, WebhookAuditActions.Update, Describe(hook), true, "updated");
        return new WebhookChange(WebhookView.From(hook), []);
    }

    /// <summary>Deletes the webhook with its delivery log and queue. False when there is none.</summary>
    public async Task<bool> DeleteAsync(int id, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hook = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (hook is null)
        {
            return false;
        }

        db.Webhooks.Remove(hook);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, WebhookAuditActions.Delete, Describe(hook), true, "deleted");
        return true;
    }

    /// <summary>The webhook with its secret readable, for sending; null when it is gone.</summary>
    internal async Task<(Webhook Hook, string? Secret)?> LoadForSendingAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var hook = await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        return hook is null ? null : (hook, hook.ProtectedSecret is { } p ? Unprotect(p) : null);
    }

    public Task<IReadOnlyList<WebhookDeliveryView>?> DeliveriesAsync(int id, int take, CancellationToken cancellationToken) =>
        log.ListAsync(id, take, cancellationToken);

    /// <summary>Queues the delivery again under a new delivery id (the log keeps both). Null when either is unknown.</summary>
    public async Task<WebhookDeliveryView?> ResendAsync(int id, string deliveryId, AuditActor actor, CancellationToken cancellationToken)
    {
        var queued = await log.ResendAsync(id, deliveryId, cancellationToken);
        if (queued is not null)
        {
            await audit.RecordAsync(actor, WebhookAuditActions.Resend, $"webhook {id}: delivery {deliveryId} as {queued.DeliveryId}", true, "queued");
        }

        return queued;
    }

    private static (Dictionary<string, string[]> Errors, List<string> Events, string Format) Validate(WebhookInput input)
    {
        var errors = new Dictionary<string, string[]>();
        if (WebhookUrls.Problem(input.Url) is { } urlProblem)
        {
            errors["url"] = [urlProblem];
        }

        var events = new List<string>();
        var unknown = new List<string>();
        foreach (var name in input.Events ?? [])
        {
            string trimmed = name?.Trim() ?? "";
            if (!WebhookEvents.IsKnown(trimmed))
            {
                unknown.Add(trimmed.Length == 0 ? "(empty)" : trimmed);
            }
            else if (!events.Contains(trimmed))
            {
                events.Add(trimmed);
            }
        }

        if (unknown.Count > 0)
        {
            errors["events"] = [$"unknown event {string.Join(", ", unknown.Select(u => $"'{u}'"))}: use {string.Join(", ", WebhookEvents.All)} (an empty list means all)"];
        }

        string? format = WebhookFormats.Normalize(input.Format);
        if (format is null)
        {
            errors["format"] = ["format must be json or discord"];
        }

        if (input.Secret is { Length: > MaxSecretLength })
        {
            errors["secret"] = [$"secret must be at most {MaxSecretLength} characters"];
        }

        return (errors, events, format ?? WebhookFormats.Json);
    }

    /// <summary>What the audit log says: the id and where it points (scheme, host, port: the path may hold a token).</summary>
    private static string Describe(Webhook hook) =>
        $"webhook {hook.Id} → {WebhookUrls.ForLog(hook.Url)} ({hook.Format}; {(hook.Events.Count == 0 ? "all events" : string.Join(", ", hook.Events))})";

    private string Protect(string secret) => ProtectedPrefix + protector.Protect(secret);

    private string Unprotect(string stored) =>
        stored.StartsWith(ProtectedPrefix, StringComparison.Ordinal) ? protector.Unprotect(stored[ProtectedPrefix.Length..]) : stored;
}
