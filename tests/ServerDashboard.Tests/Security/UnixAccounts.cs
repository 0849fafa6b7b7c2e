using System.Diagnostics;

namespace ServerDashboard.Tests.Security;

/// <summary>The test host's root powers, for tests that need a file owned by another account (the run-as user "nobody").</summary>
public static class UnixAccounts
{
    /// <summary>The unprivileged account run-as tests use (present on every Debian).</summary>
    public const string GameUser = "nobody";

    public static bool IsRoot => Environment.UserName == "root";

    public static void Chown(string path, string user)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown", [user, path]) { UseShellExecute = false })!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    /// <summary>A file only root may read, holding <paramref name="contents"/>.</summary>
    public static void WriteRootOnly(string path, string contents)
    {
        File.WriteAllText(path, contents);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
