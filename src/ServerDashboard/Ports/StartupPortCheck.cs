using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServerDashboard.Audit;
using ServerDashboard.Data;
using ServerDashboard.Processes;
using ServerDashboard.Servers;
using ServerDashboard.Text;

namespace ServerDashboard.Ports;

/// <summary>A managed port found held by a process that is not the expected one, and what was done about it.</summary>
/// <param name="Leftover">Every holder looks like a leftover of the port's server (same command line and working directory).</param>
/// <param name="Freed">True when start-up cleanup freed it.</param>
public sealed record PortFinding(ManagedPortStatus Port, bool Leftover, bool Freed, string Message);

/// <summary>What the last start-up check found: shown as a banner on the Ports page.</summary>
public sealed class PortFindings
{
    private volatile IReadOnlyList<PortFinding> findings = [];

    public IReadOnlyList<PortFinding> Current => findings;

    public DateTimeOffset? CheckedAt { get; private set; }

    /// <summary>Raised after each check with what it found (webhooks report conflicts from here).</summary>
    public event Action<IReadOnlyList<PortFinding>, DateTimeOffset>? Checked;

    public void Set(IReadOnlyList<PortFinding> value, DateTimeOffset at)
    {
        findings = value;
        CheckedAt = at;
        Checked?.Invoke(value, at);
    }
}

/// <summary>
/// Start-up cleanup (the seed's <c>cleanup_on_startup</c>): once the supervisor has re-adopted its daemons, every
/// server port held by something other than that server is logged and listed on the Ports page. With
/// <see cref="PortsOptions.CleanupOnStartup"/> a holder is freed only when it is identified as a leftover of that very
/// server: its command line and working directory match the server's definition. A foreign process is never freed.
/// </summary>
public sealed class StartupPortCheck(
    IDbContextFactory<DashboardDbContext> dbFactory,
    ManagedPorts managedPorts,
    PortFreer freer,
    LaunchPlanner planner,
    ProcFs procFs,
    PortFindings findings,
    IOptions<PortsOptions> options,
    TimeProvider time,
    ILogger<StartupPortCheck> logger)
{
    public async Task<IReadOnlyList<PortFinding>> RunAsync(CancellationToken cancellationToken)
    {
        var result = new List<PortFinding>();
        foreach (var status in await managedPorts.StatusAsync(cancellationToken))
        {
            if (status.ServerId is not { } serverId || status.Expected != false)
            {
                continue;
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var server = await db.Servers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == serverId, cancellationToken);
            bool leftover = server is not null && status.OwnerVisible && status.Owners.Count > 0 && status.Owners.All(o => IsLeftoverOf(o, server));
            string holders = string.Join(", ", status.Owners.Select(o => o.Describe()));
            string what = $"{status.Name} {status.Port}/{status.Protocol}";
            if (!leftover)
            {
                logger.LogWarning("Managed port {What} is held by {Holders}, not by its server: it is not a leftover of that server, so it is left alone",
                    LogText.Escape(what), LogText.Escape(status.OwnerVisible ? holders : PortInspector.NotVisible));
                result.Add(new PortFinding(status, false, false, $"held by {(status.OwnerVisible ? holders : PortInspector.NotVisible)} (not a leftover of this server: never freed automatically)"));
                continue;
            }

            if (!options.Value.CleanupOnStartup)
            {
                logger.LogWarning("Managed port {What} is held by a leftover of its server: {Holders}. Set Dashboard:Ports:CleanupOnStartup=true to free such ports at start-up",
                    LogText.Escape(what), LogText.Escape(holders));
                result.Add(new PortFinding(status, true, false, $"held by a leftover of this server: {holders}"));
                continue;
            }

            var confirmed = status.Owners.Select(o => o.Identity).OfType<ProcessIdentity>().ToList();
            bool freed = true;
            var messages = new List<string>();
            foreach (var protocol in ManagedPorts.ProtocolsOf(status.Protocol))
            {
                var free = await freer.FreePortAsync(status.Port, protocol, new FreePortRequest(true, 3, options.Value.CleanupGraceSeconds),
                    AuditActor.System, confirmed, cancellationToken);
                freed &= free.Outcome is FreePortOutcome.Freed or FreePortOutcome.NotInUse;
                if (free.Outcome != FreePortOutcome.NotInUse)
                {
                    messages.Add(free.Message);
                }
            }

            logger.LogWarning("Start-up cleanup of managed port {What} (leftover {Holders}): {Result}", LogText.Escape(what), LogText.Escape(holders),
                LogText.Escape(string.Join(" ", messages)));
            result.Add(new PortFinding(status, true, freed, string.Join(" ", messages)));
        }

        findings.Set(result, time.GetUtcNow());
        return result;
    }

    /// <summary>Same argv as the server's definition expands to, and the same working directory.</summary>
    private bool IsLeftoverOf(PortOwnerInfo owner, ServerDefinition server)
    {
        if (owner.ServerId is not null || owner.Identity is not { } identity || !procFs.IsAlive(identity))
        {
            return false;
        }

        var expected = new ExpectedProcess(planner.ExpandArgv(server));
        string? cwd = procFs.TryReadCwd(owner.Pid);
        return expected.Matches(procFs.TryReadCmdline(owner.Pid), procFs.TryReadExe(owner.Pid))
               && cwd is not null
               && string.Equals(Path.TrimEndingDirectorySeparator(cwd), Path.TrimEndingDirectorySeparator(Path.GetFullPath(planner.WorkingDirectoryOf(server))), StringComparison.Ordinal);
    }
}

/// <summary>Runs <see cref="StartupPortCheck"/> once, after the supervisor has re-adopted its daemons, without holding up start-up.</summary>
public sealed class StartupPortCheckService(StartupPortCheck check, ILogger<StartupPortCheckService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await check.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "The start-up check of managed ports failed");
        }
    }
}
