using System.Security.Claims;

namespace ServerDashboard.Audit;

/// <summary>Who did something and from where, as the audit log records it.</summary>
public sealed record AuditActor(string Name, string SourceIp)
{
    /// <summary>Used when a Blazor circuit's client address cannot be known.</summary>
    public const string UiAddress = "ui";

    /// <summary>
    /// The authenticated name (API keys authenticate as <c>apikey:&lt;name&gt;</c>) and the connection's remote address.
    /// Behind a reverse proxy that address is the proxy's unless forwarded headers are configured.
    /// </summary>
    public static AuditActor From(ClaimsPrincipal user, HttpContext? http) =>
        new(NameOf(user), http?.Connection.RemoteIpAddress?.ToString() ?? UiAddress);

    public static string NameOf(ClaimsPrincipal user) => user.Identity?.Name is { Length: > 0 } name ? name : "anonymous";
}
