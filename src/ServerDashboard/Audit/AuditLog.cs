using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Servers;

namespace ServerDashboard.Audit;

/// <summary>A filter for <see cref="AuditLog.QueryAsync"/>; null fields match everything.</summary>
public sealed record AuditQuery(
    int? ServerId = null,
    string? Actor = null,
    string? Action = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Skip = 0,
    int Take = AuditLog.DefaultTake);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, int Total);

/// <summary>
/// Writes and reads the audit trail. A write is one SQLite insert after the action is done: it never runs inside a
/// power lock, and a failed write is logged, never thrown, so auditing cannot break the action it records.
/// </summary>
public sealed class AuditLog(IDbContextFactory<DashboardDbContext> dbFactory, TimeProvider time, ILogger<AuditLog> logger)
{
    public const int MaxResultChars = 1024;
    public const int DefaultTake = 100;
    public const int MaxTake = 1000;

    public async Task RecordAsync(AuditActor actor, string action, int? serverId, string? serverName, string detail, bool success, string result)
    {
        try
        {
            // Not the caller's token: an action that happened must be recorded even if the request was aborted meanwhile.
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            if (serverId is { } id && serverName is null)
            {
                serverName = await db.Servers.AsNoTracking().Where(s => s.Id == id).Select(s => s.Name).FirstOrDefaultAsync();
            }

            db.AuditEntries.Add(new AuditEntry
            {
                At = time.GetUtcNow(),
                Actor = actor.Name,
                SourceIp = actor.SourceIp,
                ServerId = serverId,
                ServerName = serverName,
                Action = action,
                Detail = detail,
                Success = success,
                Result = Truncate(result),
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not write the audit entry for {Action} by {Actor} on server {ServerId}", action, Text.LogText.Escape(actor.Name), serverId);
        }
    }

    /// <summary>
    /// Builds EF Core's change-tracking delegates for <see cref="AuditEntry"/> with an entry that is added to a context and
    /// never saved: the first audit write of a process otherwise compiles them (≈ 40 fully optimized methods) after the
    /// action, before it is answered (a shutdown-all right after a restart waited 20-90 ms for it). Writes nothing.
    /// </summary>
    internal async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEntries.Add(new AuditEntry
        {
            At = time.GetUtcNow(),
            Actor = "",
            ServerId = 0,
            ServerName = "",
            Action = "",
            Detail = "",
            Success = true,
            Result = "",
        });
        db.ChangeTracker.DetectChanges();
    }

    /// <summary>An action that concerns no server (users, keys, logins, cleanup).</summary>
    public Task RecordAsync(AuditActor actor, string action, string detail, bool success, string result) =>
        RecordAsync(actor, action, serverId: null, serverName: null, detail, success, result);

    /// <summary>Deletes entries older than <paramref name="cutoff"/>. Returns how many.</summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.Where(e => e.At < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>A power action: success when accepted; the result is the new state or the refusal's reason.</summary>
    public Task RecordPowerAsync(AuditActor actor, string action, int serverId, PowerResult result) =>
        RecordAsync(actor, action, serverId, serverName: null, detail: "",
            success: result.Outcome == PowerOutcome.Accepted,
            result: result.Outcome == PowerOutcome.Accepted
                ? result.Status.State + (result.Status.Message is { } message ? " — " + message : "")
                : result.Reason ?? result.Outcome.ToString());

    /// <summary>
    /// A create or update. Detail is the server's name only: a definition holds secrets (RCON password, secret
    /// environment values), so its contents never go into the log. Failed validations are recorded with their errors.
    /// </summary>
    public Task RecordDefinitionChangeAsync(AuditActor actor, string action, ServerChangeResult result, int? serverId = null) =>
        result.Succeeded
            ? RecordAsync(actor, action, result.Server!.Id, result.Server.Name, result.Server.Name, success: true, result: "saved")
            : RecordAsync(actor, action, serverId, null, "", success: false,
                result: "not valid: " + string.Join("; ", result.Errors.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

    /// <summary>Newest first.</summary>
    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        IQueryable<AuditEntry> entries = db.AuditEntries.AsNoTracking();
        if (query.ServerId is { } serverId)
        {
            entries = entries.Where(e => e.ServerId == serverId);
        }

        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            var actor = query.Actor.Trim();
            entries = entries.Where(e => e.Actor == actor);
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var action = query.Action.Trim();
            entries = entries.Where(e => e.Action == action);
        }

        if (query.From is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }

        if (query.To is { } to)
        {
            entries = entries.Where(e => e.At <= to);
        }

        var total = await entries.CountAsync(cancellationToken);
        var page = await entries
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(Math.Max(0, query.Skip))
            .Take(Math.Clamp(query.Take, 1, MaxTake))
            .ToListAsync(cancellationToken);
        return new AuditPage(page, total);
    }

    /// <summary>Every actor that appears in the log, for the page's filter.</summary>
    public async Task<IReadOnlyList<string>> ActorsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AuditEntries.AsNoTracking().Select(e => e.Actor).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);
    }

    private static string Truncate(string text) => text.Length <= MaxResultChars ? text : text[..MaxResultChars] + "…";
}
