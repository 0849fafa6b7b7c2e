using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServerDashboard.Data;
using ServerDashboard.Hosting;

namespace ServerDashboard.Auth;

/// <summary>
/// On first start (no users at all) creates the roles and an <c>admin</c> account. Its password comes from
/// <c>Dashboard:Admin:InitialPassword</c>, or is generated and printed once, in a banner, to the console.
/// </summary>
/// <remarks>
/// Every start asks the store directly (two queries); Identity's managers are resolved only when something is missing.
/// Constructing them (validators, hasher, options) and their first lookups were ≈ 0.25 s of each cold start on a 2-core
/// VM, spent before the dashboard answers anything (docs/PERFORMANCE.md).
/// </remarks>
public sealed class AdminBootstrapper(
    DashboardDbContext db,
    IServiceProvider services,
    IOptions<DashboardOptions> options,
    FirstRunBanner banner,
    ILogger<AdminBootstrapper> logger)
{
    public const string AdminUserName = "admin";

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        var normalizer = services.GetRequiredService<ILookupNormalizer>();
        var existing = (await db.Roles.Select(r => r.NormalizedName).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var missing = Roles.All.Where(role => !existing.Contains(normalizer.NormalizeName(role))).ToList();
        if (missing.Count > 0)
        {
            var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in missing)
            {
                var result = await roles.CreateAsync(new IdentityRole(role));
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException($"Could not create the role '{role}': " + string.Join(" ", result.Errors.Select(e => e.Description)));
                }
            }
        }

        if (await db.Users.AnyAsync(cancellationToken))
        {
            return;
        }

        var users = services.GetRequiredService<UserManager<IdentityUser>>();
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
