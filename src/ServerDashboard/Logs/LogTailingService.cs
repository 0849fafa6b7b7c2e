using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ServerDashboard.Data;
using ServerDashboard.Servers;

namespace ServerDashboard.Logs;

/// <summary>
/// Keeps a <see cref="ServerLogFollower"/> per server: at start-up (after re-adoption) for every server that has a
/// console.log or runs, and whenever one starts (its extra log files may have changed). A stopped server stays followed
/// so its last lines are not lost. Periodically: the size cap on running servers' console.log, and deleted servers dropped.
/// </summary>
public sealed class LogTailingService(
    ServerCatalog catalog,
    ServerStatusBoard board,
    LaunchPlanner planner,
    ServerLogHub hub,
    ConsoleLogRotator rotator,
    IOptions<LogOptions> options,
    TimeProvider time,
    ILogger<LogTailingService> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<int, ServerLogFollower> followers = new();
    private readonly SemaphoreSlim reconcile = new(1, 1);

    /// <summary>The files followed for <paramref name="serverId"/> (for tests and diagnostics).</summary>
    public IReadOnlyList<LogSource> SourcesOf(int serverId) =>
        followers.TryGetValue(serverId, out var follower) ? follower.Sources : [];

    /// <summary>console.log (Source "console") and each extra log file (Source = its path as configured, relative to the working directory).</summary>
    public static IReadOnlyList<LogSource> SourcesFor(ServerDefinition server, LaunchPlanner planner)
    {
        var workingDirectory = Path.GetFullPath(planner.WorkingDirectoryOf(server));
        return
        [
            new LogSource(planner.ConsoleLogPath(server.Id), LogMarkers.ConsoleSource, planner.ServerDirectory(server.Id)),
            .. server.LogFiles.Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f.Trim()).Distinct(StringComparer.Ordinal)
                .Select(f => new LogSource(Path.GetFullPath(Path.Combine(workingDirectory, f)), f, workingDirectory)),
        ];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var starts = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
        // Status callbacks must not block: queue the id, look the server up here.
        using var subscription = board.Subscribe(status =>
        {
            if (status.State is ServerState.Starting or ServerState.Running)
            {
                starts.Writer.TryWrite(status.ServerId);
            }
        });
        try
        {
            await FollowExistingAsync(stoppingToken);
            await Task.WhenAll(FollowStartsAsync(starts.Reader, stoppingToken), HousekeepAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var id in followers.Keys.ToList())
        {
            if (followers.TryRemove(id, out var follower))
            {
                await follower.DisposeAsync();
            }
        }
    }

    private async Task FollowExistingAsync(CancellationToken cancellationToken)
    {
        foreach (var server in await catalog.ListAsync(cancellationToken))
        {
            if (File.Exists(planner.ConsoleLogPath(server.Id)) || board.Get(server.Id).State.IsActive())
            {
                await FollowAsync(server);
            }
        }
    }

    private async Task FollowStartsAsync(ChannelReader<int> starts, CancellationToken cancellationToken)
    {
        while (await starts.WaitToReadAsync(cancellationToken))
        {
            // Every start waiting is handled with one query: a hundred servers started at once were a hundred.
            var ids = new HashSet<int>();
            while (starts.TryRead(out var serverId))
            {
                ids.Add(serverId);
            }

            IReadOnlyList<ServerDefinition> servers;
            try
            {
                servers = await catalog.GetManyAsync(ids, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Could not follow the logs of servers {ServerIds}", string.Join(", ", ids));
                continue;
            }

            foreach (var server in servers)
            {
                try
                {
                    await FollowAsync(server);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogError(ex, "Could not follow the logs of server {ServerId}", server.Id);
                }
            }
        }
    }

    private async Task FollowAsync(ServerDefinition server)
    {
        await reconcile.WaitAsync();
        try
        {
            var follower = followers.GetOrAdd(server.Id, id => new ServerLogFollower(id, hub, options.Value.BufferLines,
                TimeSpan.FromMilliseconds(Math.Max(0, options.Value.UnwatchedDelayMilliseconds)), time, logger));
            hub.SetCatchUp(server.Id, follower.CatchUpAsync);
            await follower.FollowAsync([.. SourcesFor(server, planner)]);
        }
        finally
        {
            reconcile.Release();
        }
    }

    private async Task HousekeepAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.SizeCheckSeconds)), time);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await HousekeepOnceAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Log housekeeping failed");
            }
        }
    }

    /// <summary>Enforces the size cap on running servers and stops following deleted ones.</summary>
    internal async Task HousekeepOnceAsync(CancellationToken cancellationToken)
    {
        var existing = (await catalog.ListIdsAsync(cancellationToken)).ToHashSet();
        foreach (var serverId in followers.Keys.ToList())
        {
            if (!existing.Contains(serverId))
            {
                await reconcile.WaitAsync(cancellationToken);
                try
                {
                    if (followers.TryRemove(serverId, out var follower))
                    {
                        await follower.DisposeAsync();
                        hub.Forget(serverId);
                    }
                }
                finally
                {
                    reconcile.Release();
                }
            }
            else if (board.Get(serverId).State.IsActive())
            {
                rotator.EnforceSizeCap(serverId);
            }
        }
    }
}
