using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using ServerDashboard.Hosting;

namespace ServerDashboard.Auth;

/// <summary>
/// Re-checks an open page's (Blazor circuit's) user every <c>Dashboard:Security:RevalidationMinutes</c>: a deleted user, or
/// one whose security stamp changed (role change, password reset), becomes anonymous in that circuit instead of keeping
/// the rights it had when the page opened. The cookie itself is re-checked on requests by Identity's SecurityStampValidator
/// at the same interval.
/// </summary>
public sealed class SecurityStampRevalidator(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopeFactory,
    IOptions<IdentityOptions> identityOptions,
    IOptions<DashboardOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval =>
        TimeSpan.FromMinutes(Math.Max(options.Value.Security.RevalidationMinutes, 0.01));

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        return await IsCurrentAsync(users, authenticationState.User, identityOptions.Value);
    }

    internal static async Task<bool> IsCurrentAsync(UserManager<IdentityUser> users, ClaimsPrincipal principal, IdentityOptions identity)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return true; // nothing to take away
        }

        var user = await users.GetUserAsync(principal);
        if (user is null)
        {
            return false;
        }

        if (!users.SupportsUserSecurityStamp)
        {
            return true;
        }

        var stamp = principal.FindFirstValue(identity.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(user);
    }
}
