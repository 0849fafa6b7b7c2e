using Microsoft.AspNetCore.DataProtection;

namespace ServerDashboard.Data;

/// <summary>
/// Protects the database copy of RCON passwords with ASP.NET Core Data Protection (keys under &lt;dataDir&gt;/keys, 0700),
/// so a copied dashboard.db alone does not reveal them. Stored values carry a "dp1:" prefix; a value without it is a
/// row from before protection and is read as it is (and protected on its next save). The environment (which holds the
/// secret environment values) is protected the same way, as one JSON document.
/// </summary>
public sealed class RconPasswordProtector(IDataProtectionProvider provider)
{
    private const string Prefix = "dp1:";

    private readonly IDataProtector protector = provider.CreateProtector("ServerDashboard.RconPassword.v1");

    public string Protect(string password) => Prefix + protector.Protect(password);

    public string Unprotect(string stored) =>
        stored.StartsWith(Prefix, StringComparison.Ordinal) ? protector.Unprotect(stored[Prefix.Length..]) : stored;
}
