namespace ServerDashboard.Data;

/// <summary>
/// One thing someone did: a power action, a console command, a change to a server definition. Written once, never
/// updated. Never holds a secret: <see cref="Detail"/> is what was asked (a command's text, a server's name), not a
/// definition's contents.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The user name, or <c>apikey:&lt;name&gt;</c> for an API key.</summary>
    public required string Actor { get; set; }

    /// <summary>Null for actions not about one server. Kept after the server is deleted (no foreign key).</summary>
    public int? ServerId { get; set; }

    /// <summary>The server's name at the time, so entries stay readable after a rename or delete.</summary>
    public string? ServerName { get; set; }

    /// <summary>One of <see cref="Audit.AuditActions"/>.</summary>
    public required string Action { get; set; }

    public string Detail { get; set; } = "";

    /// <summary>The reply (truncated to <see cref="Audit.AuditLog.MaxResultChars"/>) or the error.</summary>
    public string Result { get; set; } = "";

    public bool Success { get; set; }

    /// <summary>The client's address; "ui" when a Blazor circuit's address is unknown.</summary>
    public string SourceIp { get; set; } = "";
}
