using System.Security.Claims;

namespace ServerDashboard.Audit;

/// <summary>Who did something and from where, as the audit log records it.</summary>
public sealed record AuditActor(string Name, string SourceIp)
{
    /// <summary>Used when a Blazor circuit's client address cannot be known.</summary>
    public const string UiAddress = "ui";

    /// <summary>What the dashboard does by itself (restart policies).</summary>
    public static readonly AuditActor System = new("system", "local");

    /// <summary>The command line (<c>ServerDashboard apikey create</c>).</summary>
    public static readonly AuditActor Cli = new("cli", "local");

    /// <summary>A named actor at the current request's (or circuit's) address, for services called with a bare user name.</summary>
    public static AuditActor Named(string? name, IHttpContextAccessor? accessor) =>
        name is null or "cli" ? Cli : new(name, accessor?.HttpContext?.Connection.RemoteIpAddress?.ToString() ?? UiAddress);

    /// <summary>
    /// The authenticated name (API keys authenticate as <c>apikey:&lt;name&gt;</c>) and the connection's remote address.
    /// Behind a reverse proxy that address is the proxy's unless forwarded headers are configured.
    /// </summary>
    public static AuditActor From(ClaimsPrincipal user, HttpContext? http) =>
        new(NameOf(user), http?.Connection.RemoteIpAddress?.ToString() ?? UiAddress);

    public static string NameOf(ClaimsPrincipal user) => user.Identity?.Name is { Length: > 0 } name ? name : "anonymous";
}
