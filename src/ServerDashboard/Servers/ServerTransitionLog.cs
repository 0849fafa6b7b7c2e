using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Servers;

/// <summary>A state change as it happened: from, to, why, when, and for whom (a user, an API key, or <c>system</c>).</summary>
public sealed record ServerTransition(int ServerId, ServerState From, ServerState To, string? Reason, DateTimeOffset At, string Actor);

/// <summary>Where the board hands every state change (the store in production, a list in tests).</summary>
public interface ITransitionSink
{
    /// <summary>Called under the board's lock: must not block.</summary>
    void Record(ServerTransition transition);
}

/// <summary>
/// Stores every state change (<c>ServerTransitions</c> table) through one background writer, a transaction per batch,
/// so the board never waits for SQLite; the last changes are written when the dashboard stops. At start-up
/// <see cref="LoadLatestAsync"/> tells the supervisor where each server was left.
/// </summary>
public sealed class ServerTransitionLog(IDbContextFactory<DashboardDbContext> dbFactory, ILogger<ServerTransitionLog> logger) : BackgroundService, ITransitionSink
{
    /// <summary>Rows kept per server; older ones are pruned as new ones are written.</summary>
    public const int KeptPerServer = 1000;

    /// <summary>
    /// A server's old rows are pruned after this many new ones (and on its first write after a start), not after every
    /// write: the prune is a query per server, and a hundred servers starting at once made it one per transition.
    /// So a server has at most <see cref="KeptPerServer"/> + <see cref="PruneEvery"/> rows.
    /// </summary>
    public const int PruneEvery = 50;

    // Rows written per server since its last prune; single writer (ExecuteAsync), so a plain dictionary.
    private readonly Dictionary<int, int> writtenSincePrune = [];

    // Not SingleReader: that reader cannot count, and FlushAsync counts.
    private readonly Channel<ServerTransition> pending = Channel.CreateUnbounded<ServerTransition>();
    private volatile bool writing;

    public void Record(ServerTransition transition) => pending.Writer.TryWrite(transition);

    /// <summary>The newest stored transition of every server.</summary>
    public async Task<IReadOnlyList<ServerTransitionRecord>> LoadLatestAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latestIds = db.ServerTransitions.GroupBy(t => t.ServerId).Select(g => g.Max(t => t.Id));
        return await db.ServerTransitions.AsNoTracking().Where(t => latestIds.Contains(t.Id)).ToListAsync(cancellationToken);
    }

    /// <summary>A server's stored transitions, newest first.</summary>
    public async Task<IReadOnlyList<ServerTransitionRecord>> ListAsync(int serverId, int take, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ServerTransitions.AsNoTracking().Where(t => t.ServerId == serverId).OrderByDescending(t => t.Id)
            .Take(take).ToListAsync(cancellationToken);
    }

    /// <summary>Waits until everything recorded so far is in the store (tests, shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (pending.Reader.Count > 0 || writing)
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        pending.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not cancelled by stoppingToken: the reader ends when the channel is completed, so the last changes are written.
        while (await pending.Reader.WaitToReadAsync(CancellationToken.None))
        {
            writing = true;
            var batch = new List<ServerTransition>();
            while (pending.Reader.TryRead(out var transition))
            {
                batch.Add(transition);
            }

            try
            {
                await WriteAsync(batch);
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
            {
                logger.LogWarning(ex, "Could not store {Count} state transition(s)", batch.Count);
            }
            finally
            {
                writing = false;
            }
        }
    }

    private async Task WriteAsync(List<ServerTransition> batch)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var ids = batch.Select(t => t.ServerId).Distinct().ToList();
        // A server deleted since the change has nothing to keep (and its rows are gone with it).
        var existing = (await db.Servers.Where(s => ids.Contains(s.Id)).Select(s => s.Id).ToListAsync()).ToHashSet();
        foreach (var t in batch.Where(t => existing.Contains(t.ServerId)))
        {
            db.ServerTransitions.Add(new ServerTransitionRecord
            {
                ServerId = t.ServerId,
                From = t.From.ToString(),
                To = t.To.ToString(),
                Reason = t.Reason is { Length: > 500 } tooLong ? tooLong[..500] : t.Reason,
                At = t.At,
                Actor = t.Actor,
            });
        }

        await db.SaveChangesAsync();
        foreach (var id in existing)
        {
            var written = writtenSincePrune.GetValueOrDefault(id, PruneEvery) + batch.Count(t => t.ServerId == id);
            if (written < PruneEvery)
            {
                writtenSincePrune[id] = written;
                continue;
            }

            writtenSincePrune[id] = 0;
            var cutoff = await db.ServerTransitions.Where(t => t.ServerId == id).OrderByDescending(t => t.Id)
                .Skip(KeptPerServer).Select(t => (long?)t.Id).FirstOrDefaultAsync();
            if (cutoff is { } oldest)
            {
                await db.ServerTransitions.Where(t => t.ServerId == id && t.Id <= oldest).ExecuteDeleteAsync();
            }
        }
    }
}
