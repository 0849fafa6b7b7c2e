namespace ServerDashboard.Components.Settings;

/// <summary>The "Create key" form's model.</summary>
public sealed class ApiKeyInput
{
    /// <summary>The expiry choices in days; 0 is "never".</summary>
    public static readonly IReadOnlyList<int> ExpiryChoices = [0, 30, 90, 365];

    public string Name { get; set; } = "";

    public string Role { get; set; } = Auth.Roles.Viewer;

    /// <summary>Days from creation until the key is refused; 0: it never expires.</summary>
    public int ExpiresInDays { get; set; }

    public DateTimeOffset? ExpiresAt(DateTimeOffset now) => ExpiresInDays > 0 ? now.AddDays(ExpiresInDays) : null;

    public static string ExpiryText(int days) => days > 0 ? $"In {days} days" : "Never";
}
