namespace ServerDashboard.Servers;

/// <summary>Looks up local accounts in /etc/passwd (Linux), for the run-as-user setting.</summary>
public sealed class UnixUsers
{
    private const string PasswdPath = "/etc/passwd";

    public bool CurrentUserIsRoot => Environment.UserName == "root";

    public string CurrentUserName => Environment.UserName;

    public bool Exists(string name) => Entry(name) is not null;

    /// <summary>The account's home directory (field 6 of its passwd line), or null when there is no such account.</summary>
    public string? HomeOf(string name) => Entry(name) is { Length: > 5 } fields ? fields[5] : null;

    private static string[]? Entry(string name) =>
        File.Exists(PasswdPath)
            ? File.ReadLines(PasswdPath).Select(line => line.Split(':')).FirstOrDefault(fields => fields[0] == name)
            : null;
}
