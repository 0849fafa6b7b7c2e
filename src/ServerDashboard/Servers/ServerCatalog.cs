using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>The outcome of a change to a server definition.</summary>
public sealed record ServerChangeResult(ServerDefinition? Server, ValidationErrors Errors, bool NotFound = false)
{
    public bool Succeeded => Server is not null && Errors.IsValid && !NotFound;
}

/// <summary>A definition as the monitoring tick's handlers (health checks, limits) see it: no secrets.</summary>
public sealed record MonitoredServer(int Id, string Name, int? Port, bool RconEnabled, int? RconPort, bool RestartOnUnhealthy,
    int? CpuWarnPercent, int? MaxMemoryMb, LimitAction LimitAction);

public enum DeleteOutcome
{
    Deleted,
    NotFound,
    /// <summary>Its daemon is running: stop it first.</summary>
    Running,
}

/// <summary>
/// Creates, reads, updates and deletes server definitions: the one place the UI and the API both go through. The
/// changes that take an <see cref="Audit.AuditActor"/> record one audit entry each, so no entry point audits by itself.
/// </summary>
public sealed class ServerCatalog(
    IDbContextFactory<DashboardDbContext> dbFactory,
    ServerValidator validator,
    RconPasswordGenerator passwords,
    ProcessRegistry registry,
    TimeProvider time,
    Audit.AuditLog audit,
    ILogger<ServerCatalog> logger)
{
    private long revision;
    private RecentList? recent;

    /// <summary>How long <see cref="ListForMonitoringAsync"/> may miss a change made by another writer of the database.</summary>
    public static readonly TimeSpan RecentMaxAge = TimeSpan.FromSeconds(30);

    /// <summary>Moves after every change this catalog saves (create, update, password rotation, delete).</summary>
    public long Revision => Interlocked.Read(ref revision);

    public async Task<IReadOnlyList<ServerDefinition>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var servers = await db.Servers.AsNoTracking().ToListAsync(cancellationToken);
        return [.. servers.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// What the monitoring tick's handlers need of every definition, as read at most <see cref="RecentMaxAge"/> ago and
    /// after the last change saved through this catalog: the same list instance until then. Reading and decrypting every
    /// definition on every tick (every 5 s) was a quarter of all the dashboard allocated with 100 servers running
    /// (docs/PERFORMANCE.md); this is a projection without secrets, read again only after a change.
    /// </summary>
    public async Task<IReadOnlyList<MonitoredServer>> ListForMonitoringAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = Revision; // read before the query: a change saved during it moves the revision past this one
        if (recent is { } cached && cached.Revision == current && now - cached.ReadAt < RecentMaxAge)
        {
            return cached.Servers;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var servers = await db.Servers.AsNoTracking()
            .Select(s => new MonitoredServer(s.Id, s.Name, s.Port, s.RconEnabled, s.RconPort, s.RestartOnUnhealthy,
                s.CpuWarnPercent, s.MaxMemoryMb, s.LimitAction))
            .ToListAsync(cancellationToken);
        recent = new RecentList(current, now, servers);
        return servers;
    }

    private void Changed() => Interlocked.Increment(ref revision);

    private sealed record RecentList(long Revision, DateTimeOffset ReadAt, IReadOnlyList<MonitoredServer> Servers);

    /// <summary>
    /// The ids of every server in <see cref="ListAsync"/>'s order, without loading the definitions: the status endpoint
    /// that scripts poll (every 20 ms in the benchmarks) needs nothing else, and materializing 100 definitions with their
    /// JSON columns per poll was most of its cost.
    /// </summary>
    public async Task<IReadOnlyList<int>> ListIdsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var servers = await db.Servers.AsNoTracking().Select(s => new { s.Id, s.Name }).ToListAsync(cancellationToken);
        return [.. servers.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Select(s => s.Id)];
    }

    public async Task<ServerDefinition?> GetAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Servers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
    }

    /// <summary>The definitions of <paramref name="ids"/> that exist, in one query (unknown ids are left out).</summary>
    public async Task<IReadOnlyList<ServerDefinition>> GetManyAsync(IReadOnlyCollection<int> ids, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Servers.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Serializes validation + save of definitions: the uniqueness of names and ports is checked against what is stored,
    /// so two concurrent saves must not both pass the check (30 concurrent creates with one port made 5 sharing it).
    /// One dashboard owns a data directory (the instance lock), so an in-process gate is enough.
    /// </summary>
    private readonly SemaphoreSlim writeGate = new(1, 1);

    public async Task<ServerChangeResult> CreateAsync(ServerModel model, Audit.AuditActor actor, CancellationToken cancellationToken)
    {
        var result = await CreateAsync(model, cancellationToken);
        await audit.RecordDefinitionChangeAsync(actor, Audit.AuditActions.CreateServer, result);
        return result;
    }

    /// <summary>Unaudited (tests and seeding): every entry point uses the overload with an actor.</summary>
    internal async Task<ServerChangeResult> CreateAsync(ServerModel model, CancellationToken cancellationToken)
    {
        await writeGate.WaitAsync(cancellationToken);
        try
        {
            return await CreateLockedAsync(model.ReplaceNullsWithDefaults(), cancellationToken);
        }
        finally
        {
            writeGate.Release();
        }
    }

    /// <summary>An unknown server is answered <see cref="ServerChangeResult.NotFound"/> and not recorded.</summary>
    public async Task<ServerChangeResult> UpdateAsync(int id, ServerModel model, Audit.AuditActor actor, CancellationToken cancellationToken)
    {
        var result = await UpdateAsync(id, model, cancellationToken);
        if (!result.NotFound)
        {
            await audit.RecordDefinitionChangeAsync(actor, Audit.AuditActions.UpdateServer, result, id);
        }

        return result;
    }

    /// <summary>Unaudited (tests): every entry point uses the overload with an actor.</summary>
    internal async Task<ServerChangeResult> UpdateAsync(int id, ServerModel model, CancellationToken cancellationToken)
    {
        await writeGate.WaitAsync(cancellationToken);
        try
        {
            return await UpdateLockedAsync(id, model.ReplaceNullsWithDefaults(), cancellationToken);
        }
        finally
        {
            writeGate.Release();
        }
    }

    private async Task<ServerChangeResult> CreateLockedAsync(ServerModel model, CancellationToken cancellationToken)
    {
        var errors = await validator.ValidateAsync(model, existingId: null, cancellationToken);
        if (!errors.IsValid)
        {
            return new(null, errors);
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var entity = new ServerDefinition { Name = model.Name, CreatedAt = now, UpdatedAt = now };
        ServerMapper.Apply(model, entity, passwords.Generate);
        db.Servers.Add(entity);
        if (!await TrySaveAsync(db, errors, cancellationToken))
        {
            return new(null, errors);
        }

        Changed();
        logger.LogInformation("Server {ServerId} '{ServerName}' created", entity.Id, Text.LogText.Escape(entity.Name));
        return new(entity, errors);
    }

    private async Task<ServerChangeResult> UpdateLockedAsync(int id, ServerModel model, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Servers.FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (entity is null)
        {
            return new(null, new ValidationErrors(), NotFound: true);
        }

        var errors = await validator.ValidateAsync(model, id, cancellationToken, entity);
        if (!errors.IsValid)
        {
            return new(null, errors);
        }

        ServerMapper.Apply(model, entity, passwords.Generate);
        entity.UpdatedAt = time.GetUtcNow();
        // Always written: a password stored before it was protected at rest gets protected on this save.
        db.Entry(entity).Property(e => e.RconPassword).IsModified = true;
        db.Entry(entity).Property(e => e.Environment).IsModified = true; // likewise the environment (secret values)
        if (!await TrySaveAsync(db, errors, cancellationToken))
        {
            return new(null, errors);
        }

        Changed();
        logger.LogInformation("Server {ServerId} '{ServerName}' updated", entity.Id, Text.LogText.Escape(entity.Name));
        return new(entity, errors);
    }

    /// <summary>
    /// Stores a freshly generated RCON password; false when the server is unknown or has RCON off. A running server read
    /// its password from its environment at launch and keeps it until its next start: until then RCON commands fail
    /// with "wrong RCON password" and an RCON stop falls back to signals.
    /// </summary>
    public async Task<bool> RotateRconPasswordAsync(int id, Audit.AuditActor actor, CancellationToken cancellationToken)
    {
        var rotated = await RotateRconPasswordAsync(id, cancellationToken);
        // Never the password itself: the audit log is readable by every Viewer.
        await audit.RecordAsync(actor, Audit.AuditActions.UpdateServer, id, null, "RCON password rotated", rotated,
            rotated ? "saved; takes effect at the next start" : "RCON is not enabled");
        return rotated;
    }

    /// <summary>Unaudited (tests): every entry point uses the overload with an actor.</summary>
    internal async Task<bool> RotateRconPasswordAsync(int id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Servers.FirstOrDefaultAsync(s => s.Id == id && s.RconEnabled, cancellationToken);
        if (entity is null)
        {
            return false;
        }

        entity.RconPassword = passwords.Generate();
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        Changed();
        logger.LogInformation("Server {ServerId} '{ServerName}': RCON password rotated", entity.Id, Text.LogText.Escape(entity.Name));
        return true;
    }

    /// <summary>Deletes a definition; refused while its daemon runs, so no server is left running without a definition.</summary>
    /// <remarks>Recorded with the name read before it is gone; an unknown server is not recorded.</remarks>
    public async Task<DeleteOutcome> DeleteAsync(int id, Audit.AuditActor actor, CancellationToken cancellationToken)
    {
        var name = (await GetAsync(id, cancellationToken))?.Name;
        var outcome = await DeleteAsync(id, cancellationToken);
        if (outcome != DeleteOutcome.NotFound)
        {
            await audit.RecordAsync(actor, Audit.AuditActions.DeleteServer, id, name, name ?? "", outcome == DeleteOutcome.Deleted,
                outcome == DeleteOutcome.Deleted ? "deleted" : "refused: " + outcome);
        }

        return outcome;
    }

    /// <summary>Unaudited (tests): every entry point uses the overload with an actor.</summary>
    internal async Task<DeleteOutcome> DeleteAsync(int id, CancellationToken cancellationToken)
    {
        if (registry.IsRunning(id.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            return DeleteOutcome.Running;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.Servers.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
        if (deleted)
        {
            Changed();
            logger.LogInformation("Server {ServerId} deleted", id);
        }

        return deleted ? DeleteOutcome.Deleted : DeleteOutcome.NotFound;
    }

    private static async Task<bool> TrySaveAsync(DashboardDbContext db, ValidationErrors errors, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (ex.InnerException?.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase) == true)
        {
            // Saves are serialized, so only another writer of the database (a CLI, a second tool) gets here: the unique
            // index on Name is the last word, and the caller gets a validation problem, not an error.
            errors.Add("name", "A server with this name already exists.");
            return false;
        }
    }
}
