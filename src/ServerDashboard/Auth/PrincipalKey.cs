using System.Security.Claims;

namespace ServerDashboard.Auth;

/// <summary>
/// One stable key per caller: the user's id for a login, <c>apikey:&lt;id&gt;</c> for an API key (both are the
/// NameIdentifier claim). Rate limits, stream caps and connection revocation are per caller, never per address (many users
/// can share one address behind a proxy or NAT).
/// </summary>
public static class PrincipalKey
{
    public const string ApiKeyPrefix = "apikey:";

    public static string? Of(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    public static string ForApiKey(int id) => ApiKeyPrefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
