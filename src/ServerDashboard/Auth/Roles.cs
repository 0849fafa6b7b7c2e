namespace ServerDashboard.Auth;

/// <summary>The three roles. Each user and each API key has exactly one.</summary>
public static class Roles
{
    /// <summary>Everything, including user management and secrets (RCON passwords, secret environment values).</summary>
    public const string Admin = "Admin";

    /// <summary>Power actions, console commands and jobs; no definitions, no secrets.</summary>
    public const string Operator = "Operator";

    /// <summary>Read-only; never sees secrets.</summary>
    public const string Viewer = "Viewer";

    public static readonly IReadOnlyList<string> All = [Admin, Operator, Viewer];

    /// <summary>Parses a role name case-insensitively into its canonical spelling.</summary>
    public static string? Normalize(string? role) =>
        All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>Authorization policy names.</summary>
public static class Policies
{
    public const string View = "View";
    public const string Operate = "Operate";
    public const string Admin = "Admin";
}
