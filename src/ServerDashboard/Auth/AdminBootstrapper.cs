using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using ServerDashboard.Hosting;

namespace ServerDashboard.Auth;

/// <summary>
/// On first start (no users at all) creates the roles and an <c>admin</c> account. Its password comes from
/// <c>Dashboard:Admin:InitialPassword</c>, or is generated and printed once, in a banner, to the console.
/// </summary>
public sealed class AdminBootstrapper(
    UserManager<IdentityUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<DashboardOptions> options,
    FirstRunBanner banner,
    ILogger<AdminBootstrapper> logger)
{
    public const string AdminUserName = "admin";

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole(role));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (users.Users.Any())
        {
            return;
        }

        var configured = options.Value.Admin.InitialPassword;
        var password = string.IsNullOrEmpty(configured) ? GeneratePassword() : configured;
        var admin = new IdentityUser(AdminUserName);
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException(
                "Could not create the first admin account: " + string.Join(" ", created.Errors.Select(e => e.Description)) +
                " (check Dashboard:Admin:InitialPassword).");
        }

        await users.AddToRoleAsync(admin, Roles.Admin);
        if (string.IsNullOrEmpty(configured))
        {
            // Secrets never go to the log files: the password is written to the console alone.
            banner.ShowAdminPassword(AdminUserName, password);
            logger.LogWarning("First start: created the account 'admin'; its generated password was printed to the console once");
        }
        else
        {
            logger.LogInformation("First start: created the account 'admin' with the password from Dashboard:Admin:InitialPassword");
        }
    }

    private static string GeneratePassword() =>
        // Satisfies Identity's default rules: upper, lower, digit and non-alphanumeric characters.
        RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ", 4) +
        RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz", 6) +
        RandomNumberGenerator.GetString("23456789", 4) + "-" +
        RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789", 6);
}
