namespace ServerDashboard.Components.Users;

public sealed class PasswordResetInput
{
    public string Password { get; set; } = "";

    public string Confirm { get; set; } = "";
}
