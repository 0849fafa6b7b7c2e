using System.Diagnostics;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Rcon;

/// <summary>
/// The independent RCON clients in <c>&lt;repo&gt;/../shared/peers</c> (npm rcon-client, Debian rconclt), installed by
/// its setup.sh into <c>$PEERS_WORK</c> (default <c>$TMPDIR/serverdashboard-peers</c>, as env.sh does). Missing peers
/// fail the test with the fix: a conformance check that silently skips proves nothing.
/// </summary>
internal static class Peers
{
    private static readonly Lazy<string> directory = new(FindDirectory);

    public static string Directory => directory.Value;

    public static string WorkDirectory =>
        Environment.GetEnvironmentVariable("PEERS_WORK") is { Length: > 0 } work
            ? work
            : Path.Combine(Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp", "serverdashboard-peers");

    public static void RequireRconClient()
    {
        if (!System.IO.Directory.Exists(Path.Combine(WorkDirectory, "node_modules", "rcon-client")))
        {
            Assert.Fail($"npm rcon-client is not installed in {WorkDirectory}: run {Path.Combine(Directory, "setup.sh")} (CI's .ci/run does).");
        }
    }

    public static string RequireRconclt() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "rconclt"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"rconclt (Debian package 'rcon') is not installed: run {Path.Combine(Directory, "setup.sh")} as root (CI's .ci/run does).");

    /// <summary><c>node rcon-check.js HOST PORT PASSWORD CMD...</c> with NODE_PATH set like env.sh.</summary>
    public static Task<ProcessResult> RconCheckAsync(int port, string password, string command)
    {
        RequireRconClient();
        return RunAsync("node", [Path.Combine(Directory, "rcon-check.js"), "127.0.0.1", port.ToString(), password, command]);
    }

    public static Task<ProcessResult> RconcltAsync(int port, string password, string command) =>
        RunAsync(RequireRconclt(), ["-t", "5", $"{password}@127.0.0.1:{port}", command]);

    private static async Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var nodePath = Environment.GetEnvironmentVariable("NODE_PATH");
        start.Environment["NODE_PATH"] = Path.Combine(WorkDirectory, "node_modules") + (string.IsNullOrEmpty(nodePath) ? "" : ":" + nodePath);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {args[0]} did not exit within 30 s");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    private static string FindDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "peers");
            if (File.Exists(Path.Combine(candidate, "rcon-check.js")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"shared/peers/rcon-check.js not found above {AppContext.BaseDirectory}: the peers live beside the repository (<repo>/../shared/peers).");
    }
}
