using System.Diagnostics;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Rcon;

/// <summary>
/// The independent RCON clients declared in the repository's <c>tests/peers</c> (npm rcon-client in its node_modules,
/// Debian rconclt), installed by <c>tests/peers/setup.sh</c> (scripts/test.sh runs it). Missing peers fail the test with
/// the fix: a conformance check that silently skips proves nothing.
/// </summary>
internal static class Peers
{
    public static string Directory { get; } = Path.Combine(RepositoryRoot.Path, "tests", "peers");

    public static void RequireRconClient()
    {
        if (!System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "rcon-client")))
        {
            Assert.Fail($"npm rcon-client is not installed in {Path.Combine(Directory, "node_modules")}: run {Path.Combine(Directory, "setup.sh")} (scripts/test.sh does).");
        }
    }

    public static string RequireRconclt() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "rconclt"))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"rconclt (Debian package 'rcon') is not installed: run {Path.Combine(Directory, "setup.sh")} as root (scripts/test.sh does).");

    /// <summary><c>node rcon-check.js HOST PORT PASSWORD CMD...</c> (node finds rcon-client in the script's own node_modules).</summary>
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
}
