using Microsoft.EntityFrameworkCore;

namespace ServerDashboard.Data;

/// <summary>
/// An endpoint an Admin registered to hear about events (docs/webhooks.md): where, which events (empty: all), in which
/// format, and the HMAC secret, kept protected at rest by ASP.NET Core Data Protection ("dp1:" like RCON passwords).
/// </summary>
public sealed class Webhook
{
    public int Id { get; set; }

    public required string Url { get; set; }

    /// <summary>Event names (<c>server.state</c>, …); empty means every event.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary><c>json</c> or <c>discord</c>.</summary>
    public string Format { get; set; } = "json";

    /// <summary>The signing secret, protected; null when none is set. Never returned, never logged.</summary>
    public string? ProtectedSecret { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The table's configuration, kept here so the context gains one line.</summary>
    internal static void Configure(ModelBuilder builder)
    {
        builder.Entity<Webhook>(hook =>
        {
            hook.ToTable("Webhooks");
            hook.Property(h => h.Url).HasMaxLength(2048);
            hook.Property(h => h.Format).HasMaxLength(16);
            hook.Property(h => h.ProtectedSecret).HasMaxLength(4096);
            hook.Property(h => h.Events).HasConversion(JsonColumns.StringList, JsonColumns.StringListComparer);
        });
        WebhookDelivery.Configure(builder);
    }
}

/// <summary>Where a delivery stands.</summary>
public static class WebhookDeliveryStatus
{
    /// <summary>Queued: waiting for its turn or its next attempt (<see cref="WebhookDelivery.NextAttemptAt"/>).</summary>
    public const string Pending = "Pending";
    public const string Delivered = "Delivered";
    /// <summary>Given up: a permanent refusal (4xx) or out of attempts. Resend queues it again.</summary>
    public const string Failed = "Failed";
}

/// <summary>
/// One event for one webhook: the queue entry and, once done, its line in the delivery log. The body is built when the
/// event is queued, so every attempt sends the same bytes under the same <see cref="DeliveryId"/>. Rows are taken in
/// <see cref="Id"/> order per (webhook, server): a server's later event waits for its earlier one.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }

    public int WebhookId { get; set; }

    /// <summary>The <c>X-ServerDashboard-Delivery</c> header: unique, kept across retries.</summary>
    public required string DeliveryId { get; set; }

    public required string Event { get; set; }

    /// <summary>The server the event is about (the ordering key); null for events about no server.</summary>
    public int? ServerId { get; set; }

    public required string Body { get; set; }

    public string Status { get; set; } = WebhookDeliveryStatus.Pending;

    /// <summary>HTTP requests sent so far (the resilience handler's quick retries included).</summary>
    public int Attempts { get; set; }

    /// <summary>Times the queue took it up (each may be several <see cref="Attempts"/>).</summary>
    public int Rounds { get; set; }

    /// <summary>The status code of each request, oldest first ("0" when no response came), space-separated, capped.</summary>
    public string StatusCodes { get; set; } = "";

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The delivery this one re-sends (the Resend action), if any.</summary>
    public string? ResendOf { get; set; }

    internal static void Configure(ModelBuilder builder) => builder.Entity<WebhookDelivery>(delivery =>
    {
        delivery.ToTable("WebhookDeliveries");
        delivery.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        delivery.HasIndex(d => d.DeliveryId).IsUnique();
        delivery.HasIndex(d => new { d.Status, d.Id });
        delivery.HasIndex(d => new { d.WebhookId, d.Id });
        delivery.Property(d => d.DeliveryId).HasMaxLength(36);
        delivery.Property(d => d.Event).HasMaxLength(32);
        delivery.Property(d => d.Status).HasMaxLength(16);
        delivery.Property(d => d.StatusCodes).HasMaxLength(200);
        delivery.Property(d => d.LastError).HasMaxLength(500);
        delivery.Property(d => d.ResendOf).HasMaxLength(36);
    });
}
