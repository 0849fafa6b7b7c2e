using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using ServerDashboard.Text;

namespace ServerDashboard.Servers.Monitoring;

/// <summary>
/// Health checks on every monitoring tick, for Running servers: the process is alive and still ours (from the tick's
/// /proc pass), the game port accepts a TCP connection on 127.0.0.1 (when the definition has one), RCON answers (when RCON
/// is on: <see cref="MonitoringOptions.RconCheckCommand"/> on the server's kept-open, authenticated connection, or a fresh
/// authentication when that is empty; within the RCON connect and command timeouts, retried per
/// <c>Rcon:RetryAttempts</c>). Probes run concurrently, one per server per tick, so a tick waits at most one timeout. After
/// <see cref="MonitoringOptions.UnhealthyAfterChecks"/> failed checks in a row the server is flagged Unhealthy (a flag
/// beside the state, on the board and so pushed live); one passing check clears it. With the definition's
/// <c>restartOnUnhealthy</c> the server is then restarted.
/// </summary>
public sealed class ServerHealthChecks(
    ServerCatalog catalog,
    ServerStatusBoard board,
    IServiceProvider services,
    IOptionsMonitor<MonitoringOptions> options,
    IOptions<Rcon.RconOptions> rconOptions,
    TimeProvider time,
    ILogger<ServerHealthChecks> logger) : IMonitoringTickHandler
{
    /// <summary>The longest a probe waits for a connection.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<int, (string Failure, int Count)> failures = new();

    public async ValueTask OnTickAsync(MonitoringTick tick, CancellationToken cancellationToken)
    {
        var running = board.All.Where(s => s.State == ServerState.Running).ToDictionary(s => s.ServerId);
        foreach (var gone in failures.Keys.Where(id => !running.ContainsKey(id)))
        {
            failures.TryRemove(gone, out _);
        }

        if (running.Count == 0)
        {
            return;
        }

        // From the catalog's recent list (re-read only after a change), not a query per tick.
        var rconOn = rconOptions.Value.Enabled; // RCON turned off for the dashboard: its port is not ours to probe
        var targets = (await catalog.ListForMonitoringAsync(cancellationToken))
            .Where(s => running.ContainsKey(s.Id))
            .Select(s => new HealthTarget(s.Id, s.Name, s.Port, s.RconEnabled && rconOn ? s.RconPort : null, s.RestartOnUnhealthy))
            .ToList();

        var verdicts = await Task.WhenAll(targets.Select(t => CheckAsync(t, running[t.Id].Pid, tick, RconFailureAsync, cancellationToken)));
        foreach (var (target, failure) in targets.Zip(verdicts))
        {
            await ApplyAsync(target, running[target.Id].Pid, failure, cancellationToken);
        }
    }

    /// <returns>What failed, or null when every check passed.</returns>
    private static async Task<string?> CheckAsync(HealthTarget target, int? pid, MonitoringTick tick,
        Func<HealthTarget, int, CancellationToken, Task<string?>> rconCheck, CancellationToken cancellationToken)
    {
        if (tick.For(target.Id) is not { Alive: true } sample || sample.Pid != pid)
        {
            return "process not alive";
        }

        if (target.Port is { } port && !await AcceptsAsync(port, cancellationToken))
        {
            return $"game port {port} refused";
        }

        return target.RconPort is { } rconPort ? await rconCheck(target, rconPort, cancellationToken) : null;
    }

    /// <summary>
    /// A real RCON check: the configured command on the kept-open connection (reconnecting and authenticating when it is
    /// gone, so a wrong password or a server that stopped answering shows), or authentication alone.
    /// </summary>
    private async Task<string?> RconFailureAsync(HealthTarget target, int rconPort, CancellationToken cancellationToken)
    {
        var rcon = rconOptions.Value;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(rcon.ConnectTimeout + rcon.CommandTimeout);
        try
        {
            if (options.CurrentValue.RconCheckCommand is { Length: > 0 } command && !string.IsNullOrWhiteSpace(command))
            {
                await services.GetRequiredService<Rcon.RconConnections>().ExecuteAsync(target.Id, command, rcon.CommandTimeout, deadline.Token);
            }
            else if (await services.GetRequiredService<RconTargets>().FindAsync(target.Id, deadline.Token) is { } endpoint)
            {
                await using var client = new Rcon.RconClient(rcon, time);
                await client.ConnectAsync(endpoint.Host, endpoint.Port, endpoint.Password, deadline.Token);
            }

            return null;
        }
        catch (Rcon.RconAuthenticationException)
        {
            return $"RCON port {rconPort} refused the password";
        }
        catch (Exception ex) when (ex is Rcon.RconException or IOException or SocketException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogDebug("RCON check of server {ServerId} failed: {Error}", target.Id, LogText.Escape(ex.Message));
            return $"RCON port {rconPort} did not answer";
        }
    }

    private async Task ApplyAsync(HealthTarget target, int? pid, string? failure, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (failure is null)
        {
            failures.TryRemove(target.Id, out _);
            var before = board.Get(target.Id);
            board.Update(target.Id, s => s.State == ServerState.Running && s.Pid == pid && s.Health is not { Healthy: true }
                ? s with { Health = new ServerHealth(true, null, now) }
                : s);
            if (before.Health is { Healthy: false })
            {
                logger.LogInformation("Server {ServerId} is healthy again", target.Id);
            }

            return;
        }

        var (_, count) = failures.AddOrUpdate(target.Id, (failure, 1), (_, f) => (failure, f.Failure == failure ? f.Count + 1 : 1));
        var threshold = Math.Max(1, options.CurrentValue.UnhealthyAfterChecks);
        if (count < threshold)
        {
            return;
        }

        var reason = $"{failure} {count} checks";
        var wasHealthy = board.Get(target.Id).Health is not { Healthy: false };
        board.Update(target.Id, s => s.State == ServerState.Running && s.Pid == pid
            ? s with { Health = new ServerHealth(false, reason, s.Health is { Healthy: false } h ? h.Since : now) }
            : s);
        if (!wasHealthy)
        {
            return;
        }

        logger.LogWarning("Server {ServerId} '{ServerName}' is unhealthy: {Reason}", target.Id, LogText.Escape(target.Name), reason);
        if (target.RestartOnUnhealthy)
        {
            failures.TryRemove(target.Id, out _);
            // Resolved here: the supervisor's graph reaches the monitoring handlers through the board's subscribers.
            var supervisor = services.GetRequiredService<ServerSupervisor>();
            var audit = services.GetRequiredService<Audit.AuditLog>();
            var result = await supervisor.RestartAsync(target.Id, wait: false, cancellationToken);
            await audit.RecordAsync(Audit.AuditActor.System, Audit.AuditActions.AutoRestart, target.Id, target.Name,
                $"unhealthy: {reason}", result.Outcome == PowerOutcome.Accepted, result.Reason ?? result.Outcome.ToString());
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private sealed record HealthTarget(int Id, string Name, int? Port, int? RconPort, bool RestartOnUnhealthy);
}
