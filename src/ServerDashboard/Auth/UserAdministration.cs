using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Audit;

namespace ServerDashboard.Auth;

public sealed record UserSummary(string Id, string UserName, string Role, bool LockedOut);

/// <summary>
/// User management for Admins: list, create, change role, reset password, delete. Keeps at least one Admin. Every change is
/// audited here (one entry, whichever page or endpoint asked), and a change that takes rights away closes the user's live
/// hub connections at once; open pages lose them at their next revalidation (<see cref="SecurityStampRevalidator"/>).
/// </summary>
public sealed class UserAdministration(
    UserManager<IdentityUser> users,
    AuditLog audit,
    LiveConnections liveConnections,
    IHttpContextAccessor httpContextAccessor,
    ILogger<UserAdministration> logger)
{
    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var all = await users.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(cancellationToken);
        var result = new List<UserSummary>(all.Count);
        foreach (var user in all)
        {
            var role = (await users.GetRolesAsync(user)).FirstOrDefault() ?? Roles.Viewer;
            result.Add(new UserSummary(user.Id, user.UserName ?? "", role, await users.IsLockedOutAsync(user)));
        }

        return result;
    }

    public Task<IdentityResult> CreateAsync(string userName, string password, string role, string actor) =>
        CreateAsync(userName, password, role, AuditActor.Named(actor, httpContextAccessor));

    public async Task<IdentityResult> CreateAsync(string userName, string password, string role, AuditActor actor)
    {
        var canonicalRole = Roles.Normalize(role);
        IdentityResult result;
        var user = new IdentityUser(userName.Trim());
        if (canonicalRole is null)
        {
            result = Failed($"Unknown role '{role}'.");
        }
        else
        {
            result = await users.CreateAsync(user, password);
            if (result.Succeeded)
            {
                result = await users.AddToRoleAsync(user, canonicalRole);
                logger.LogInformation("User {UserName} created with role {Role} by {Actor}", Text.LogText.Escape(user.UserName), canonicalRole, Text.LogText.Escape(actor.Name));
            }
        }

        await RecordAsync(actor, AuditActions.CreateUser, $"{user.UserName} as {canonicalRole ?? role}", result);
        return result;
    }

    public Task<IdentityResult> SetRoleAsync(string userId, string role, string actor) =>
        SetRoleAsync(userId, role, AuditActor.Named(actor, httpContextAccessor));

    public async Task<IdentityResult> SetRoleAsync(string userId, string role, AuditActor actor)
    {
        var canonicalRole = Roles.Normalize(role);
        var user = await users.FindByIdAsync(userId);
        IdentityResult result;
        if (user is null || canonicalRole is null)
        {
            result = Failed(user is null ? "No such user." : $"Unknown role '{role}'.");
        }
        else
        {
            var current = await users.GetRolesAsync(user);
            if (current.Contains(Roles.Admin) && canonicalRole != Roles.Admin && await IsLastAdminAsync())
            {
                result = Failed("This is the last Admin: make another user Admin first.");
            }
            else
            {
                await users.RemoveFromRolesAsync(user, current);
                result = await users.AddToRoleAsync(user, canonicalRole);
                await users.UpdateSecurityStampAsync(user); // signs the user out everywhere so the new role applies at once
                liveConnections.AbortAll(user.Id);
                logger.LogInformation("User {UserName} role set to {Role} by {Actor}", Text.LogText.Escape(user.UserName), canonicalRole, Text.LogText.Escape(actor.Name));
            }
        }

        await RecordAsync(actor, AuditActions.SetRole, $"{user?.UserName ?? userId} to {canonicalRole ?? role}", result);
        return result;
    }

    public Task<IdentityResult> ResetPasswordAsync(string userId, string newPassword, string actor) =>
        ResetPasswordAsync(userId, newPassword, AuditActor.Named(actor, httpContextAccessor));

    public async Task<IdentityResult> ResetPasswordAsync(string userId, string newPassword, AuditActor actor)
    {
        var user = await users.FindByIdAsync(userId);
        IdentityResult result;
        if (user is null)
        {
            result = Failed("No such user.");
        }
        else
        {
            var token = await users.GeneratePasswordResetTokenAsync(user);
            result = await users.ResetPasswordAsync(user, token, newPassword); // changes the security stamp
            if (result.Succeeded)
            {
                await users.SetLockoutEndDateAsync(user, null);
                liveConnections.AbortAll(user.Id);
                logger.LogInformation("Password of {UserName} reset by {Actor}", Text.LogText.Escape(user.UserName), Text.LogText.Escape(actor.Name));
            }
        }

        // Never the password itself.
        await RecordAsync(actor, AuditActions.ResetPassword, user?.UserName ?? userId, result);
        return result;
    }

    public Task<IdentityResult> DeleteAsync(string userId, string actor) =>
        DeleteAsync(userId, AuditActor.Named(actor, httpContextAccessor));

    public async Task<IdentityResult> DeleteAsync(string userId, AuditActor actor)
    {
        var user = await users.FindByIdAsync(userId);
        IdentityResult result;
        if (user is null)
        {
            result = Failed("No such user.");
        }
        else if ((await users.GetRolesAsync(user)).Contains(Roles.Admin) && await IsLastAdminAsync())
        {
            result = Failed("The last Admin cannot be deleted.");
        }
        else
        {
            result = await users.DeleteAsync(user);
            liveConnections.AbortAll(user.Id);
            logger.LogInformation("User {UserName} deleted by {Actor}", Text.LogText.Escape(user.UserName), Text.LogText.Escape(actor.Name));
        }

        await RecordAsync(actor, AuditActions.DeleteUser, user?.UserName ?? userId, result);
        return result;
    }

    private Task RecordAsync(AuditActor actor, string action, string detail, IdentityResult result) =>
        audit.RecordAsync(actor, action, detail, result.Succeeded,
            result.Succeeded ? "done" : string.Join(" ", result.Errors.Select(e => e.Description)));

    private async Task<bool> IsLastAdminAsync() => (await users.GetUsersInRoleAsync(Roles.Admin)).Count <= 1;

    private static IdentityResult Failed(string message) => IdentityResult.Failed(new IdentityError { Description = message });
}
