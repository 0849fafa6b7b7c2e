using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using ServerDashboard.Auth;
using ServerDashboard.Logs;
using ServerDashboard.Servers;

namespace ServerDashboard.Hubs;

/// <summary>
/// The one hub for live data outside the Blazor circuit: the console page's JS and scripts stream from here
/// (contract: docs/hub.md). Browsers authenticate with the cookie, scripts with an API key (header or <c>access_token</c>).
/// </summary>
[Authorize(Policy = Policies.View)]
public sealed partial class DashboardHub(
    IServiceProvider services,
    ServerCatalog catalog,
    ServerStatusBoard statusBoard,
    HubStreamSlots streamSlots,
    LiveConnections liveConnections,
    TimeProvider time) : Hub
{
    public const string Path = "/hubs/dashboard";

    private const string RegistrationKey = "live-connection";

    /// <summary>Registers the connection under its caller, so a role change or a revoked key closes it (see <see cref="LiveConnections"/>).</summary>
    public override Task OnConnectedAsync()
    {
        if (Context.User is { } user && PrincipalKey.Of(user) is { } principal)
        {
            Context.Items[RegistrationKey] = liveConnections.Register(principal, Context.ConnectionId, Context.Abort);
        }

        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        (Context.Items[RegistrationKey] as IDisposable)?.Dispose();
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>One of the caller's stream slots, or a HubException when all are in use.</summary>
    private IDisposable AcquireStreamSlot()
    {
        var principal = (Context.User is { } user ? PrincipalKey.Of(user) : null) ?? Context.ConnectionId;
        return streamSlots.TryAcquire(principal)
            ?? throw new HubException($"Too many concurrent streams: at most {streamSlots.Limit} per user or API key. Cancel one first.");
    }

    /// <summary>
    /// A server's log: the backlog (or every buffered line after <paramref name="afterSeq"/>, for a resume), then live batches
    /// until the caller cancels the stream or disconnects.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<LogLine>> SubscribeLogs(
        int serverId, long? afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Resolved per call rather than injected: until log tailing is registered the app (and every other hub method)
        // must still work, and this method should say why it cannot.
        var logs = services.GetService<IServerLogs>() ?? throw new HubException("Log streaming is not available");
        using var slot = AcquireStreamSlot();
        var server = await catalog.GetAsync(serverId, cancellationToken) ?? throw new HubException($"No server with id {serverId}");
        var batches = logs.SubscribeAsync(serverId, afterSeq, cancellationToken);
        if (server.BrowserLinesPerSecond is { } linesPerSecond)
        {
            // Throttled here, per subscription, rather than in the log hub: the setting lives in the catalog, which this
            // method reads anyway, and IServerLogs stays a plain data seam that REST and the UI read unthrottled. Lines up
            // to the newest at subscription time are the backlog the reader asked for: those are not throttled.
            var backlogUpTo = logs.Tail(serverId, 1) is [var newest] ? newest.Seq : long.MinValue;
            batches = batches.ThrottleAsync(new LogThrottle(linesPerSecond, backlogUpTo, time), time, cancellationToken);
        }

        await foreach (var batch in batches)
        {
            yield return batch;
        }
    }

    /// <summary>
    /// Server statuses: first one batch with the current status of every server, then each change as it happens.
    /// A slow reader loses the oldest changes (never the newest), so what it sees last is always current.
    /// </summary>
    public async IAsyncEnumerable<IReadOnlyList<ServerStatus>> SubscribeStatus([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var slot = AcquireStreamSlot();
        using var changes = StatusFeed.Open(statusBoard);
        // Subscribed before the snapshot is taken, so a change in between is sent (twice at worst), never lost.
        var servers = await catalog.ListAsync(cancellationToken);
        yield return servers.Select(server => statusBoard.Get(server.Id)).ToList();

        await foreach (var batch in changes.ReadBatchesAsync(cancellationToken))
        {
            yield return batch;
        }
    }
}
