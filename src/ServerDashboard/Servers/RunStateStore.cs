using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Servers;

/// <summary>
/// The persisted part of a server's run state (should it run, how did it last exit), kept in memory and written to the
/// store by one background writer in batches. Power actions never wait for SQLite: a hundred parallel starts would
/// otherwise queue on its write lock and its busy-retry sleeps.
/// </summary>
public sealed class RunStateStore(IDbContextFactory<DashboardDbContext> dbFactory, ILogger<RunStateStore> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<int, ServerRunState> states = new();
    private readonly Channel<int> dirty = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool writing;

    // A single-reader unbounded channel cannot count its items (Reader.Count throws): count pending changes ourselves.
    private int pending;

    public bool ShouldRun(int serverId) => states.TryGetValue(serverId, out var state) && state.ShouldRun;

    public IReadOnlyCollection<ServerRunState> All => states.Values.Select(Copy).ToList();

    public void SetShouldRun(int serverId, bool shouldRun) => Change(serverId, s => s.ShouldRun = shouldRun);

    public void SetLastExit(int serverId, LastExit lastExit) => Change(serverId, s =>
    {
        s.LastExitKind = lastExit.Kind;
        s.LastExitCode = lastExit.Code;
        s.LastExitSignal = lastExit.Signal;
        s.LastExitAt = lastExit.At;
        s.LastExitRequested = lastExit.Requested;
        s.LastExitDescription = lastExit.Description;
    });

    public void Forget(int serverId) => states.TryRemove(serverId, out _);

    /// <summary>Loads what the store has; called at start-up before any power action.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        foreach (var state in await db.ServerRunStates.AsNoTracking().ToListAsync(cancellationToken))
        {
            states[state.ServerId] = state;
        }

        loaded.TrySetResult();
    }

    /// <summary>Waits until everything changed so far is in the store (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref pending) > 0 || writing)
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        dirty.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await loaded.Task.WaitAsync(stoppingToken);
        await WarmUpAsync();
        // Not cancelled by stoppingToken: the reader ends when the channel is completed, so the last changes are written.
        while (await dirty.Reader.WaitToReadAsync(CancellationToken.None))
        {
            writing = true;
            var batch = new HashSet<int>();
            while (dirty.Reader.TryRead(out var id))
            {
                Interlocked.Decrement(ref pending);
                batch.Add(id);
            }

            try
            {
                await WriteAsync(batch);
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
            {
                logger.LogWarning(ex, "Could not save the run state of {Count} server(s); will retry with the next change", batch.Count);
            }
            finally
            {
                writing = false;
            }
        }
    }

    /// <summary>Completes when the start-up warm-up is over (tests).</summary>
    internal Task WarmedUp => warmedUp.Task;

    private readonly TaskCompletionSource warmedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// The first write of a process compiles EF Core's two queries and its change-tracking delegates for
    /// <see cref="ServerRunState"/> (≈ 160 methods for the JIT, ≈ 80 ms of CPU). Done here at start-up, writing nothing,
    /// instead of in the first burst of power actions: a stop-all right after a restart had it compete for the cores.
    /// </summary>
    private async Task WarmUpAsync()
    {
        try
        {
            await WriteAsync([]); // the very queries of a write, for no server
            await using var db = await dbFactory.CreateDbContextAsync();
            var probe = new ServerRunState { ServerId = -1 };
            db.Attach(probe); // tracked, never saved: the context is discarded
            db.Entry(probe).CurrentValues.SetValues(new ServerRunState { ServerId = -1, ShouldRun = true });
            db.ChangeTracker.DetectChanges();
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            logger.LogDebug(ex, "Warming up the run-state writer failed; its first write compiles instead");
        }
        finally
        {
            warmedUp.TrySetResult();
        }
    }

    private void Change(int serverId, Action<ServerRunState> change)
    {
        var state = states.GetOrAdd(serverId, id => new ServerRunState { ServerId = id });
        lock (state)
        {
            change(state);
        }

        Interlocked.Increment(ref pending); // before the write, so the reader's decrement never comes first
        if (!dirty.Writer.TryWrite(serverId))
        {
            Interlocked.Decrement(ref pending); // completed at shutdown
        }
    }

    private async Task WriteAsync(HashSet<int> ids)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var existingServers = await db.Servers.Where(s => ids.Contains(s.Id)).Select(s => s.Id).ToListAsync();
        var rows = await db.ServerRunStates.Where(r => ids.Contains(r.ServerId)).ToDictionaryAsync(r => r.ServerId);
        foreach (var id in existingServers)
        {
            if (!states.TryGetValue(id, out var state))
            {
                continue;
            }

            if (!rows.TryGetValue(id, out var row))
            {
                row = new ServerRunState { ServerId = id };
                db.ServerRunStates.Add(row);
            }

            lock (state)
            {
                db.Entry(row).CurrentValues.SetValues(state);
            }
        }

        await db.SaveChangesAsync();
    }

    private static ServerRunState Copy(ServerRunState s)
    {
        lock (s)
        {
            return new ServerRunState
            {
                ServerId = s.ServerId,
                ShouldRun = s.ShouldRun,
                LastExitKind = s.LastExitKind,
                LastExitCode = s.LastExitCode,
                LastExitSignal = s.LastExitSignal,
                LastExitAt = s.LastExitAt,
                LastExitRequested = s.LastExitRequested,
                LastExitDescription = s.LastExitDescription,
            };
        }
    }
}
