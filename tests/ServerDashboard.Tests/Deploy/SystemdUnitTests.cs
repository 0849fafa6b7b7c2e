using System.Diagnostics;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Deploy;

/// <summary>
/// deploy/serverdashboard.service, checked offline by <c>systemd-analyze verify</c> (no running systemd is needed). verify
/// insists that ExecStart's program exists, so the unit is checked as a copy whose ExecStart points at a stand-in
/// executable in a temp directory; everything else is the shipped file, byte for byte.
/// </summary>
public sealed class SystemdUnitTests
{
    private const string SystemdAnalyze = "/usr/bin/systemd-analyze";
    private const string InstalledBinary = "/opt/serverdashboard/ServerDashboard";

    private static string UnitPath => Path.Combine(RepositoryRoot.Path, "deploy", "serverdashboard.service");

    [SystemdFact]
    public async Task Systemd_analyze_verify_accepts_the_unit_without_a_single_warning()
    {
        using var temp = new TempDirectory("sd-unit");
        var standIn = temp.Combine("ServerDashboard");
        File.Copy("/bin/true", standIn);
        var text = await File.ReadAllTextAsync(UnitPath);
        Assert.Contains(InstalledBinary, text);
        var unit = temp.Combine("serverdashboard.service");
        await File.WriteAllTextAsync(unit, text.Replace(InstalledBinary, standIn, StringComparison.Ordinal));

        var (exitCode, output) = await RunAsync(SystemdAnalyze, "verify", unit);

        // verify exits 0 on unknown keys and unparsable values (it only warns), so any output is a failure too.
        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"systemd-analyze verify exited {exitCode}: {output}");
    }

    [Fact]
    public void The_unit_leaves_the_servers_running_delegates_cgroups_and_runs_as_a_dedicated_user()
    {
        var settings = File.ReadAllLines(UnitPath)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('='))
            .Select(l => (Key: l[..l.IndexOf('=')], Value: l[(l.IndexOf('=') + 1)..]))
            .ToList();
        string Single(string key) => Assert.Single(settings, s => s.Key == key).Value;

        Assert.Equal("process", Single("KillMode")); // stopping the dashboard must not kill its servers
        Assert.Equal("yes", Single("Delegate"));
        Assert.Equal("on-failure", Single("Restart"));
        Assert.Equal("yes", Single("NoNewPrivileges"));
        Assert.Equal("serverdashboard", Single("StateDirectory"));
        Assert.Equal("serverdashboard", Single("User"));
        Assert.Contains(settings, s => s.Key == "Environment" && s.Value == "Dashboard__DataDirectory=/var/lib/serverdashboard");
        Assert.DoesNotContain(settings, s => s.Key is "ProtectControlGroups" or "MemoryDenyWriteExecute" or "ProtectProc" or "ProcSubset");
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}

/// <summary>Needs <c>systemd-analyze</c> (Debian's <c>systemd</c> package): skipped, saying so, only outside CI.</summary>
public sealed class SystemdFactAttribute : FactAttribute
{
    public SystemdFactAttribute()
    {
        if (!File.Exists("/usr/bin/systemd-analyze") && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "systemd-analyze is not installed (apt-get install -y systemd); CI installs it";
        }
    }
}
