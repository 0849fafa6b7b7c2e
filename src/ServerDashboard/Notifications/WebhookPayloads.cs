using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerDashboard.Notifications;

/// <summary>The two body formats a webhook can ask for: our own JSON, or a Discord "execute webhook" message.</summary>
public static class WebhookFormats
{
    public const string Json = "json";
    public const string Discord = "discord";

    public static readonly IReadOnlyList<string> All = [Json, Discord];

    /// <summary>The canonical name, or null when unknown (case-insensitive; empty means json).</summary>
    public static string? Normalize(string? format) =>
        string.IsNullOrWhiteSpace(format) ? Json : All.FirstOrDefault(f => string.Equals(f, format.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>Builds the body of a delivery. Built once when the event is queued: every attempt sends the same bytes.</summary>
public static class WebhookPayloads
{
    // Discord's documented limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
    public const int DiscordContentMax = 2000, DiscordTitleMax = 256, DiscordDescriptionMax = 4096, DiscordFieldsMax = 25,
        DiscordFieldNameMax = 256, DiscordFieldValueMax = 1024, DiscordFooterMax = 2048, DiscordEmbedTotalMax = 6000;

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static string Build(string format, NotificationEvent e, string? serverName) =>
        format == WebhookFormats.Discord ? Discord(e, serverName) : Json(e, serverName);

    /// <summary><c>{ "event", "occurredAt", "server": { "id", "name" } | null, "title", "summary", "data": { … } }</c></summary>
    public static string Json(NotificationEvent e, string? serverName)
    {
        var body = new JsonObject
        {
            ["event"] = e.Name,
            ["occurredAt"] = e.OccurredAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["server"] = e.ServerId is { } id ? new JsonObject { ["id"] = id, ["name"] = serverName } : null,
            ["title"] = e.Title,
            ["summary"] = e.Summary,
            ["data"] = e.Data.DeepClone(),
        };
        return body.ToJsonString(Compact);
    }

    /// <summary>
    /// <c>{ "content", "embeds": [ { "title", "description", "color", "timestamp", "fields": [ { "name", "value", "inline" } ], "footer" } ] }</c>
    /// within Discord's limits: text is cut (a crash's last lines keep their end) so the message is never refused for length.
    /// </summary>
    public static string Discord(NotificationEvent e, string? serverName)
    {
        string title = Cut(e.Title, DiscordTitleMax);
        string footer = Cut($"ServerDashboard · {e.Name}", DiscordFooterMax);
        var fields = new JsonArray();
        int used = title.Length + footer.Length;
        foreach (var (name, value) in e.Fields.Take(DiscordFieldsMax))
        {
            string n = Cut(string.IsNullOrWhiteSpace(name) ? "-" : name, DiscordFieldNameMax);
            string v = Cut(string.IsNullOrWhiteSpace(value) ? "-" : value, DiscordFieldValueMax);
            if (used + n.Length + v.Length > DiscordEmbedTotalMax - 200)
            {
                break; // leave room for a description
            }

            used += n.Length + v.Length;
            fields.Add(new JsonObject { ["name"] = n, ["value"] = v, ["inline"] = v.Length <= 40 });
        }

        string description = Describe(e, Math.Min(DiscordDescriptionMax, DiscordEmbedTotalMax - used));
        var embed = new JsonObject
        {
            ["title"] = title,
            ["description"] = description,
            ["color"] = ColorOf(e.Tone),
            ["timestamp"] = e.OccurredAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["fields"] = fields,
            ["footer"] = new JsonObject { ["text"] = footer },
        };
        string who = serverName ?? (e.ServerId is { } id ? $"server {id}" : "ServerDashboard");
        var body = new JsonObject
        {
            ["content"] = Cut($"**{Markdown(who)}**: {e.Title}", DiscordContentMax),
            ["embeds"] = new JsonArray(embed),
            // Never let an event's text ping @everyone or a role.
            ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
        };
        return body.ToJsonString(Compact);
    }

    public static int ColorOf(EventTone tone) => tone switch
    {
        EventTone.Good => 0x2ECC71,
        EventTone.Warning => 0xF1C40F,
        EventTone.Bad => 0xE74C3C,
        _ => 0x3498DB,
    };

    /// <summary>The summary, then the details (a crash's last lines) in a code block that keeps their end when cut.</summary>
    private static string Describe(NotificationEvent e, int max)
    {
        string summary = Cut(e.Summary, max);
        if (string.IsNullOrEmpty(e.Details))
        {
            return summary;
        }

        const string open = "\n```\n", close = "\n```";
        int room = max - summary.Length - open.Length - close.Length;
        if (room < 20)
        {
            return summary;
        }

        // A line holding ``` would end the block early: break the fence up.
        string details = e.Details.Replace("```", "`\u200b`\u200b`", StringComparison.Ordinal);
        if (details.Length > room)
        {
            details = "…" + details[^(room - 1)..];
        }

        return summary + open + details + close;
    }

    private static string Markdown(string text) => text.Replace("*", "\\*", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>At most <paramref name="max"/> characters, "…" marking a cut.</summary>
    public static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
