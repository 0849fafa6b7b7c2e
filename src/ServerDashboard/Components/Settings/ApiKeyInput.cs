namespace ServerDashboard.Components.Settings;

/// <summary>The "Create key" form's model.</summary>
public sealed class ApiKeyInput
{
    public string Name { get; set; } = "";

    public string Role { get; set; } = Auth.Roles.Viewer;
}
