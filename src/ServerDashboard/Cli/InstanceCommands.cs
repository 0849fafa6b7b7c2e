using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerDashboard.Hosting;
using ServerDashboard.Processes;

namespace ServerDashboard.Cli;

/// <summary>
/// <c>status</c>: is a dashboard running on this data directory, and which servers do the PID files name
/// (exit 0 running, 3 not running). <c>stop</c>: stops the running dashboard gracefully; its servers keep running.
/// Both read files only: neither needs the dashboard to answer.
/// </summary>
public static class InstanceCommands
{
    public const int NotRunningExitCode = 3;

    public static Command Status(Option<string?> dataDir)
    {
        var status = new Command("status", "Show whether a dashboard runs on the data directory, and its servers' PID files");
        status.SetAction(result =>
        {
            var dir = DataDirectoryOf(result.GetValue(dataDir));
            var procFs = new ProcFs();
            var control = new DashboardInstanceControl(new LockFileReader(), procFs);
            var instance = control.Inspect(dir);
            var running = instance.IsHeld;
            Console.Out.WriteLine(running
                ? $"ServerDashboard is running: {Describe(instance.Holder)}"
                : $"ServerDashboard is not running on {dir}");

            var store = new PidFileStore(Options.Create(new ProcessOptions { DataDirectory = dir }), NullLogger<PidFileStore>.Instance);
            var ids = Directory.Exists(store.RunDirectory) ? store.ListServerIds() : [];
            if (ids.Count == 0)
            {
                Console.Out.WriteLine("No server PID files.");
            }

            foreach (var id in ids.OrderBy(i => int.TryParse(i, out var n) ? n : int.MaxValue))
            {
                var read = store.Read(id);
                if (read.Record is not { } record)
                {
                    Console.Out.WriteLine($"  server {id}: PID file unreadable ({read.Reason})");
                    continue;
                }

                var identity = record.TryGetIdentity();
                var state = identity is null ? "unverified (legacy PID file)" : control.IsAlive(identity) ? "Running" : "not running (stale PID file)";
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  server {id} {record.Name ?? ""}: {state}, pid {record.Pid}{(record.Port is { } port ? $", port {port}" : "")}{(record.CreatedAt is { } at ? $", since {at:u}" : "")}"));
            }

            return running ? 0 : NotRunningExitCode;
        });
        return status;
    }

    public static Command Stop(Option<string?> dataDir)
    {
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the dashboard to exit", DefaultValueFactory = _ => 30 };
        var stop = new Command("stop", "Stop the dashboard running on the data directory (SIGTERM); its servers keep running") { timeout };
        stop.SetAction(async (result, cancellationToken) =>
        {
            var dir = DataDirectoryOf(result.GetValue(dataDir));
            var control = new DashboardInstanceControl(new LockFileReader(), new ProcFs());
            if (!control.RequestStop(dir, out var pid))
            {
                Console.Error.WriteLine($"ServerDashboard is not running on {dir}.");
                return NotRunningExitCode;
            }

            Console.Out.WriteLine($"Sent SIGTERM to ServerDashboard (pid {pid}); waiting up to {result.GetValue(timeout)} s...");
            if (await control.WaitForReleaseAsync(dir, TimeSpan.FromSeconds(result.GetValue(timeout)), TimeProvider.System, cancellationToken))
            {
                Console.Out.WriteLine("ServerDashboard stopped. Servers keep running and are re-adopted at its next start.");
                return 0;
            }

            Console.Error.WriteLine($"ServerDashboard (pid {pid}) is still running after {result.GetValue(timeout)} s.");
            return 1;
        });
        return stop;
    }

    private static string Describe(LockFileContent? holder) => holder is null
        ? "holder unknown"
        : string.Create(CultureInfo.InvariantCulture,
            $"pid {holder.Pid}, since {holder.StartedAt:u}, at {(holder.Urls is { Count: > 0 } urls ? string.Join(' ', urls) : "unknown URL")}, version {holder.Version}");

    /// <summary>--data-dir, else Dashboard__DataDirectory from the environment, else ./data.</summary>
    private static string DataDirectoryOf(string? option) =>
        Path.GetFullPath(option ?? Environment.GetEnvironmentVariable("Dashboard__DataDirectory") ?? new DashboardOptions().DataDirectory);
}
