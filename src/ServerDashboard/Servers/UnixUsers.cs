namespace ServerDashboard.Servers;

/// <summary>Looks up local accounts in /etc/passwd (Linux), for the run-as-user setting.</summary>
public sealed class UnixUsers
{
    private const string PasswdPath = "/etc/passwd";

    public bool CurrentUserIsRoot => Environment.UserName == "root";

    public string CurrentUserName => Environment.UserName;

    public bool Exists(string name) =>
        File.Exists(PasswdPath) && File.ReadLines(PasswdPath).Any(line => line.Split(':')[0] == name);
}
