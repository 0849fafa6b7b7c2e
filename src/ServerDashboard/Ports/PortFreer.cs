using Microsoft.Win32.SafeHandles;
using ServerDashboard.Audit;
using ServerDashboard.Processes;
using ServerDashboard.Processes.Native;
using ServerDashboard.Servers;
using ServerDashboard.Text;

namespace ServerDashboard.Ports;

/// <summary>How to free a port (the API's body: <c>{ "force": true, "maxRetries": 3, "graceSeconds": 5 }</c>).</summary>
/// <param name="Force">The caller's confirmation: without it nothing is signalled and the owner is only shown.</param>
/// <param name="MaxRetries">Rounds of SIGTERM → grace → SIGKILL before giving up.</param>
/// <param name="GraceSeconds">How long a process gets to exit after SIGTERM before SIGKILL.</param>
public sealed record FreePortRequest(bool Force = false, int MaxRetries = 3, int GraceSeconds = 5)
{
    public const int MaxAllowedRetries = 10;
    public const int MaxGraceSeconds = 300;

    public string? Validate() =>
        MaxRetries is < 1 or > MaxAllowedRetries ? $"maxRetries must be between 1 and {MaxAllowedRetries}."
        : GraceSeconds is < 0 or > MaxGraceSeconds ? $"graceSeconds must be between 0 and {MaxGraceSeconds}."
        : null;
}

public enum FreePortOutcome
{
    /// <summary>Nobody holds the port: nothing was done.</summary>
    NotInUse,
    /// <summary>The port is bindable now.</summary>
    Freed,
    /// <summary>No confirmation: nothing was done; <see cref="FreePortResult.Before"/> names who would be acted on.</summary>
    NeedsConfirmation,
    /// <summary>An owner may not be signalled (or cannot be seen, or changed since the confirmation): nothing was done.</summary>
    Refused,
    /// <summary>Every retry was used and something still holds the port.</summary>
    StillInUse,
}

public sealed record FreePortResult(FreePortOutcome Outcome, PortReport Before, string Message, int Attempts);

/// <summary>
/// Frees a port (the seed's <c>ensure_port_available</c>): shows the owner first, acts only when confirmed. One of our
/// servers is stopped through its normal stop (stop mode, timeout, audited as a Stop); a foreign process gets SIGTERM,
/// <see cref="FreePortRequest.GraceSeconds"/>, then SIGKILL, for up to <see cref="FreePortRequest.MaxRetries"/> rounds
/// until a bind succeeds. Every signal goes through a pidfd opened and verified (pid + start time) right before it, so
/// a reused pid is never signalled. Every attempt that gets past the confirmation is audited as <c>FreePort</c>.
/// </summary>
public sealed class PortFreer(
    PortInspector inspector,
    FreeRefusals refusals,
    ProcessHandles handles,
    ServerSupervisor supervisor,
    AuditLog audit,
    TimeProvider time,
    ILogger<PortFreer> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    /// <summary>After SIGKILL the kernel closes the sockets as the process is torn down: a short wait, not a grace.</summary>
    private static readonly TimeSpan AfterKill = TimeSpan.FromSeconds(3);

    /// <param name="confirmed">
    /// The owners the user saw and confirmed (pid + start time), from the UI's dialog or the CLI. When given, a holder that
    /// is not one of them (the pid was reused, the server restarted) is not signalled: the free is refused.
    /// </param>
    public async Task<FreePortResult> FreePortAsync(
        int port,
        PortProtocol protocol,
        FreePortRequest request,
        AuditActor actor,
        IReadOnlyCollection<ProcessIdentity>? confirmed,
        CancellationToken cancellationToken)
    {
        PortReport before = inspector.FindOwner(port, protocol);
        string what = $"port {port}/{protocol.ToString().ToLowerInvariant()}";
        if (!before.InUse)
        {
            return new FreePortResult(FreePortOutcome.NotInUse, before, $"{what} is not in use.", 0);
        }

        if (!request.Force)
        {
            return new FreePortResult(FreePortOutcome.NeedsConfirmation, before,
                $"{what} is held by {before.DescribeOwners()}. Confirm (force) to free it.", 0);
        }

        string? refusal = !before.OwnerVisible ? $"{what} is {PortInspector.NotVisible}: the dashboard cannot act on a process it cannot identify."
            : before.Owners.Where(o => o.ServerId is null).Select(refusals.ReasonToRefuse).FirstOrDefault(r => r is not null) is { } why ? $"Refused to free {what}: {why}."
            : confirmed is not null && before.Owners.FirstOrDefault(o => o.Identity is null || !confirmed.Contains(o.Identity)) is { } changed
                ? $"Refused to free {what}: {changed.Describe()} is not the process that was confirmed (it exited and the pid was reused, or it was restarted). Look again."
            : null;
        if (refusal is not null)
        {
            await AuditAsync(actor, what, before, success: false, refusal);
            return new FreePortResult(FreePortOutcome.Refused, before, refusal, 0);
        }

        // One of our servers (the refusals above are for foreign processes): its own stop (stop mode, timeout, RCON stop) audited as a Stop, not a raw signal.
        foreach (int serverId in before.Owners.Select(o => o.ServerId).OfType<int>().Distinct())
        {
            var stop = await supervisor.StopAsync(serverId, wait: true, actor, cancellationToken);
            logger.LogInformation("Freeing {What}: stopped server {ServerId}: {Outcome} {Reason}", what, serverId, stop.Outcome, LogText.Escape(stop.Reason));
        }

        var allowed = before.Owners.Where(o => o.ServerId is null).Select(o => o.Identity!).ToHashSet();
        int attempt = 0;
        while (true)
        {
            if (!inspector.IsPortInUse(port, protocol))
            {
                string done = $"{what} is free (was held by {before.DescribeOwners()}).";
                await AuditAsync(actor, what, before, success: true, attempt == 0 ? done : $"{done} Attempts: {attempt}.");
                return new FreePortResult(FreePortOutcome.Freed, before, done, attempt);
            }

            if (attempt >= request.MaxRetries)
            {
                break;
            }

            attempt++;
            PortReport now = inspector.FindOwner(port, protocol);
            var strangers = now.Owners.Where(o => o.Identity is null || !allowed.Contains(o.Identity)).ToList();
            if (!now.OwnerVisible || strangers.Count > 0)
            {
                // Something else took the port meanwhile (or a server we stopped is back): not what was confirmed.
                string moved = $"{what} is now held by {now.DescribeOwners()}, which was not confirmed: nothing more was signalled.";
                await AuditAsync(actor, what, now, success: false, moved);
                return new FreePortResult(FreePortOutcome.StillInUse, before, moved, attempt);
            }

            await TerminateAsync(now.Owners, request.GraceSeconds, port, protocol, cancellationToken);
            await AuditAsync(actor, what, now, success: !inspector.IsPortInUse(port, protocol), $"attempt {attempt}: SIGTERM, then SIGKILL after {request.GraceSeconds} s to {now.DescribeOwners()}");
        }

        PortReport after = inspector.FindOwner(port, protocol);
        string still = $"{what} is still in use after {attempt} attempt(s): held by {after.DescribeOwners()}.";
        await AuditAsync(actor, what, after, success: false, still);
        return new FreePortResult(FreePortOutcome.StillInUse, before, still, attempt);
    }

    /// <summary>SIGTERM to each owner, the grace period (cut short once they are all gone), then SIGKILL to the survivors.</summary>
    private async Task TerminateAsync(IReadOnlyList<PortOwnerInfo> owners, int graceSeconds, int port, PortProtocol protocol, CancellationToken cancellationToken)
    {
        var identities = owners.Select(o => o.Identity).OfType<ProcessIdentity>().ToList();
        foreach (var identity in identities)
        {
            Signal(identity, LinuxNative.SIGTERM);
        }

        await WaitAsync(TimeSpan.FromSeconds(graceSeconds), () => identities.All(Gone), cancellationToken);
        var survivors = identities.Where(i => !Gone(i)).ToList();
        foreach (var identity in survivors)
        {
            Signal(identity, LinuxNative.SIGKILL);
        }

        if (survivors.Count > 0)
        {
            await WaitAsync(AfterKill, () => !inspector.IsPortInUse(port, protocol), cancellationToken);
        }
    }

    /// <summary>Re-checks the identity right before the signal: the pidfd is opened first, then verified, so it cannot be a reused pid.</summary>
    private void Signal(ProcessIdentity identity, int signal)
    {
        using SafeFileHandle? pidfd = handles.TryOpenVerified(identity);
        if (pidfd is null)
        {
            logger.LogInformation("Not signalling pid {Pid}: it exited or its pid now belongs to another process", identity.Pid);
            return;
        }

        if (handles.TrySignal(pidfd, signal))
        {
            logger.LogInformation("Sent signal {Signal} to pid {Pid} to free a port", signal, identity.Pid);
        }
    }

    private bool Gone(ProcessIdentity identity)
    {
        using SafeFileHandle? pidfd = handles.TryOpenVerified(identity);
        return pidfd is null || handles.HasExited(pidfd);
    }

    private async Task WaitAsync(TimeSpan limit, Func<bool> done, CancellationToken cancellationToken)
    {
        long start = time.GetTimestamp();
        while (!done() && time.GetElapsedTime(start) < limit)
        {
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    private Task AuditAsync(AuditActor actor, string what, PortReport report, bool success, string result) =>
        audit.RecordAsync(actor, PortAuditActions.FreePort, report.Owners.Select(o => o.ServerId).OfType<int>().FirstOrDefault() is var id && id != 0 ? id : null,
            serverName: null, detail: $"{what}: {report.DescribeOwners()}", success, result);
}
