using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ServerDashboard.Auth;

public sealed record UserSummary(string Id, string UserName, string Role, bool LockedOut);

/// <summary>User management for Admins: list, create, change role, reset password, delete. Keeps at least one Admin.</summary>
public sealed class UserAdministration(UserManager<IdentityUser> users, ILogger<UserAdministration> logger)
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

    public async Task<IdentityResult> CreateAsync(string userName, string password, string role, string actor)
    {
        var canonicalRole = Roles.Normalize(role);
        if (canonicalRole is null)
        {
            return Failed($"Unknown role '{role}'.");
        }

        var user = new IdentityUser(userName.Trim());
        var result = await users.CreateAsync(user, password);
        if (result.Succeeded)
        {
            result = await users.AddToRoleAsync(user, canonicalRole);
            logger.LogInformation("User {UserName} created with role {Role} by {Actor}", Text.LogText.Escape(user.UserName), canonicalRole, Text.LogText.Escape(actor));
        }

        return result;
    }

    public async Task<IdentityResult> SetRoleAsync(string userId, string role, string actor)
    {
        var canonicalRole = Roles.Normalize(role);
        var user = await users.FindByIdAsync(userId);
        if (user is null || canonicalRole is null)
        {
            return Failed(user is null ? "No such user." : $"Unknown role '{role}'.");
        }

        var current = await users.GetRolesAsync(user);
        if (current.Contains(Roles.Admin) && canonicalRole != Roles.Admin && await IsLastAdminAsync())
        {
            return Failed("This is the last Admin: make another user Admin first.");
        }

        await users.RemoveFromRolesAsync(user, current);
        var result = await users.AddToRoleAsync(user, canonicalRole);
        await users.UpdateSecurityStampAsync(user); // signs the user out everywhere so the new role applies at once
        logger.LogInformation("User {UserName} role set to {Role} by {Actor}", Text.LogText.Escape(user.UserName), canonicalRole, Text.LogText.Escape(actor));
        return result;
    }

    public async Task<IdentityResult> ResetPasswordAsync(string userId, string newPassword, string actor)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Failed("No such user.");
        }

        var token = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, token, newPassword);
        if (result.Succeeded)
        {
            await users.SetLockoutEndDateAsync(user, null);
            logger.LogInformation("Password of {UserName} reset by {Actor}", Text.LogText.Escape(user.UserName), Text.LogText.Escape(actor));
        }

        return result;
    }

    public async Task<IdentityResult> DeleteAsync(string userId, string actor)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return Failed("No such user.");
        }

        if ((await users.GetRolesAsync(user)).Contains(Roles.Admin) && await IsLastAdminAsync())
        {
            return Failed("The last Admin cannot be deleted.");
        }

        var result = await users.DeleteAsync(user);
        logger.LogInformation("User {UserName} deleted by {Actor}", Text.LogText.Escape(user.UserName), Text.LogText.Escape(actor));
        return result;
    }

    private async Task<bool> IsLastAdminAsync() => (await users.GetUsersInRoleAsync(Roles.Admin)).Count <= 1;

    private static IdentityResult Failed(string message) => IdentityResult.Failed(new IdentityError { Description = message });
}
