using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerDashboard.Audit;
using ServerDashboard.Hosting;
using ServerDashboard.Ports;
using ServerDashboard.Processes;

namespace ServerDashboard.Cli;

/// <summary>
/// <c>ports who PORT</c> and <c>ports free PORT --force [--retries N]</c>. Like the other commands they act on this machine
/// directly (the dashboard's API needs a key the shell does not have): <c>who</c> reads /proc and the servers' PID files;
/// <c>free</c> signals a foreign process after the same refusals and identity checks as the dashboard, and audits the
/// attempt in the data directory's store as actor "cli". A port held by one of the dashboard's servers is refused:
/// that server is stopped through the dashboard (UI or API), whose stop is supervised and audited.
/// </summary>
public static class PortsCommands
{
    public const int RefusedExitCode = 1;
    public const int NeedsForceExitCode = 2;

    public static Command Create(Option<string?> dataDir)
    {
        var ports = new Command("ports", "Who holds a port, and freeing it");
        ports.Subcommands.Add(Who(dataDir));
        ports.Subcommands.Add(Free(dataDir));
        return ports;
    }

    private static Argument<int> PortArgument()
    {
        var port = new Argument<int>("PORT") { Description = "Port number (1-65535)" };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 65535)
            {
                result.AddError("PORT must be between 1 and 65535.");
            }
        });
        return port;
    }

    private static Option<string> ProtocolOption()
    {
        var protocol = new Option<string>("--protocol") { Description = "tcp or udp", DefaultValueFactory = _ => "tcp" };
        protocol.AcceptOnlyFromAmong("tcp", "udp");
        return protocol;
    }

    private static Command Who(Option<string?> dataDir)
    {
        var port = PortArgument();
        var protocol = ProtocolOption();
        var who = new Command("who", "Show which process holds a port (pid, name, user, start time, command line, server)") { port, protocol };
        who.SetAction(result =>
        {
            var report = Inspect(result.GetValue(port), Api.PortsApi.ParseProtocol(result.GetValue(protocol))!.Value, DataDirectoryOf(result.GetValue(dataDir)));
            Print(report);
            return report.InUse ? 0 : InstanceCommands.NotRunningExitCode;
        });
        return who;
    }

    private static Command Free(Option<string?> dataDir)
    {
        var port = PortArgument();
        var protocol = ProtocolOption();
        var force = new Option<bool>("--force") { Description = "Confirm: signal the process shown (SIGTERM, then SIGKILL after the grace period)" };
        var retries = new Option<int>("--retries") { Description = "Rounds of SIGTERM/SIGKILL before giving up", DefaultValueFactory = _ => 3 };
        var grace = new Option<int>("--grace") { Description = "Seconds between SIGTERM and SIGKILL", DefaultValueFactory = _ => 5 };
        var free = new Command("free", "Free a port held by a foreign process (needs --force; never PID 1, the dashboard or its servers)") { port, protocol, force, retries, grace };
        free.SetAction(async (result, cancellationToken) =>
        {
            int number = result.GetValue(port);
            var proto = Api.PortsApi.ParseProtocol(result.GetValue(protocol))!.Value;
            var request = new FreePortRequest(result.GetValue(force), result.GetValue(retries), result.GetValue(grace));
            if (request.Validate() is { } invalid)
            {
                Console.Error.WriteLine(invalid);
                return RefusedExitCode;
            }

            var dir = DataDirectoryOf(result.GetValue(dataDir));
            var report = Inspect(number, proto, dir);
            Print(report);
            if (!report.InUse)
            {
                return 0;
            }

            if (report.Owners.FirstOrDefault(o => o.ServerId is not null) is { } server)
            {
                Console.Error.WriteLine($"Refused: pid {server.Pid} belongs to server {server.ServerId}. Stop that server through the dashboard (Ports page or POST /api/v1/ports/{number}/free), which stops it with its stop mode and audits it.");
                return RefusedExitCode;
            }

            if (!request.Force)
            {
                Console.Error.WriteLine($"Nothing was signalled. Re-run with --force to free port {number}.");
                return NeedsForceExitCode;
            }

            await using var services = await DashboardHost.BuildOfflineServicesAsync(dir, cancellationToken);
            var freer = services.GetRequiredService<PortFreer>();
            // The identities just printed: a process that took the pid since is not signalled.
            var confirmed = report.Owners.Select(o => o.Identity).OfType<ProcessIdentity>().ToList();
            var freed = await freer.FreePortAsync(number, proto, request, AuditActor.Cli, confirmed, cancellationToken);
            (freed.Outcome is FreePortOutcome.Freed or FreePortOutcome.NotInUse ? Console.Out : Console.Error).WriteLine(freed.Message);
            return freed.Outcome is FreePortOutcome.Freed or FreePortOutcome.NotInUse ? 0 : RefusedExitCode;
        });
        return free;
    }

    /// <summary>/proc alone, plus the servers' PID files (read only) to name the server a holder belongs to.</summary>
    private static PortReport Inspect(int port, PortProtocol protocol, string dataDirectory)
    {
        var procFs = new ProcFs();
        var options = Options.Create(new ProcessOptions { DataDirectory = dataDirectory });
        var store = new PidFileStore(options, NullLogger<PidFileStore>.Instance);
        var servers = new Dictionary<int, int>(); // daemon pid (session leader) → server id
        foreach (var id in Directory.Exists(store.RunDirectory) ? store.ListServerIds() : [])
        {
            if (store.Read(id).Record is { } record && record.TryGetIdentity() is { } identity && procFs.IsAlive(identity)
                && int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out int serverId))
            {
                servers[record.Pid] = serverId;
            }
        }

        var inspector = new PortInspector(new PortOwnerLookup(procFs), procFs, registry: null, new UserNames());
        var report = inspector.FindOwner(port, protocol);
        return report with
        {
            Owners = report.Owners.Select(o => procFs.TryReadStat(o.Pid) is { } stat
                    && (servers.TryGetValue(stat.SessionId, out int server) || servers.TryGetValue(stat.ProcessGroupId, out server))
                ? o with { ServerId = server }
                : o).ToList(),
        };
    }

    private static void Print(PortReport report)
    {
        string what = $"Port {report.Port}/{report.Protocol.ToString().ToLowerInvariant()}";
        if (!report.InUse)
        {
            Console.Out.WriteLine($"{what} is free.");
            return;
        }

        Console.Out.WriteLine(report.Owners.Count == 0 ? $"{what} is {PortInspector.NotVisible}." : $"{what} is in use by:");
        foreach (var owner in report.Owners)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  pid {owner.Pid} {owner.ProcessName} (user {owner.User ?? "?"}, since {owner.StartTime:u}){(owner.ServerId is { } id ? $", server {id}" : "")}"));
            Console.Out.WriteLine($"    {owner.Cmdline}");
        }

        if (report.Note is { } note && report.Owners.Count > 0)
        {
            Console.Out.WriteLine($"  ({note})");
        }
    }

    /// <summary>--data-dir, else Dashboard__DataDirectory from the environment, else ./data (as <c>status</c> does).</summary>
    private static string DataDirectoryOf(string? option) =>
        Path.GetFullPath(option ?? Environment.GetEnvironmentVariable("Dashboard__DataDirectory") ?? new DashboardOptions().DataDirectory);
}
