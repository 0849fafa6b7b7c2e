using System.Diagnostics;
using System.Globalization;

namespace ServerDashboard.Tests.Ports;

/// <summary>A throw-away Unix account (useradd as root, like the run-as tests' "nobody" but our own), deleted on dispose.</summary>
public sealed class TestUser : IDisposable
{
    private TestUser(string name, int uid)
    {
        Name = name;
        Uid = uid;
    }

    public string Name { get; }

    public int Uid { get; }

    public static TestUser Create()
    {
        string name = "sdport" + Random.Shared.Next(10000, 99999).ToString(CultureInfo.InvariantCulture);
        Run("/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name);
        string uid = Run("/usr/bin/id", "-u", name).Trim();
        return new TestUser(name, int.Parse(uid, CultureInfo.InvariantCulture));
    }

    public void Dispose() => Run("/usr/sbin/userdel", Name);

    private static string Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { UseShellExecute = false, RedirectStandardOutput = true })!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} failed with {process.ExitCode}");
        return output;
    }
}
