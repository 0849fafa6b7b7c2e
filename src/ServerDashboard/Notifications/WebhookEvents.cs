using System.Text.Json.Nodes;

namespace ServerDashboard.Notifications;

/// <summary>The event names a webhook can subscribe to (docs/webhooks.md).</summary>
public static class WebhookEvents
{
    public const string ServerState = "server.state";
    public const string ServerCrash = "server.crash";
    public const string ServerHealth = "server.health";
    public const string JobFinished = "job.finished";
    public const string BackupFinished = "backup.finished";
    public const string PortConflict = "port.conflict";

    /// <summary>Sent by the Test action only; not subscribable.</summary>
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<string> All = [ServerState, ServerCrash, ServerHealth, JobFinished, BackupFinished, PortConflict];

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}

/// <summary>How an event looks in a chat (the Discord embed's colour).</summary>
public enum EventTone
{
    Info,
    Good,
    Warning,
    Bad,
}

/// <summary>
/// Something happened that webhooks may want to hear. <paramref name="Title"/> and <paramref name="Summary"/> are the
/// human words (Discord's embed), <paramref name="Data"/> the machine fields (the JSON format's <c>data</c>),
/// <paramref name="Fields"/> the short name/value pairs a chat shows, <paramref name="Details"/> an optional longer
/// text (a crash's last lines).
/// </summary>
public sealed record NotificationEvent(
    string Name,
    int? ServerId,
    DateTimeOffset OccurredAt,
    string Title,
    string Summary,
    EventTone Tone,
    JsonObject Data,
    IReadOnlyList<(string Name, string Value)> Fields,
    string? Details = null);
