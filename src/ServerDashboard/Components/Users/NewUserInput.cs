using ServerDashboard.Auth;

namespace ServerDashboard.Components.Users;

public sealed class NewUserInput
{
    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    public string Role { get; set; } = Roles.Viewer;
}
