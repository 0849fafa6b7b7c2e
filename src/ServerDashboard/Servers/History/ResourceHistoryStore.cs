using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers.History;

/// <summary>What one downsampling pass did (rows, for logs and tests).</summary>
public sealed record DownsampleResult(int MinuteRowsWritten, int TicksRemoved, int HourRowsWritten, int MinutesRemoved, int HoursPruned, int OrphansPruned);

/// <summary>The resource history (SQLite or PostgreSQL): one transaction per tick for all servers, downsampling, range queries.</summary>
public sealed class ResourceHistoryStore(IDbContextFactory<DashboardDbContext> dbFactory)
{
    /// <summary>Stores one tick's samples of every live server in a single transaction.</summary>
    public async Task AppendAsync(MonitoringTick tick, CancellationToken cancellationToken)
    {
        var live = tick.Servers.Where(s => s.Alive).ToList();
        if (live.Count == 0)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        // Replace: two ticks in the same millisecond (a clock step, a test's frozen clock) keep the later figures.
        insert.CommandText = db.Database.IsSqlite()
            ? """
              INSERT OR REPLACE INTO ResourceSamples (ServerId, ResolutionSeconds, AtUnixMs, CpuPercent, MemoryBytes, OpenFiles, Threads)
              VALUES (@server, 0, @at, @cpu, @memory, @files, @threads)
              """
            : """
              INSERT INTO "ResourceSamples" ("ServerId", "ResolutionSeconds", "AtUnixMs", "CpuPercent", "MemoryBytes", "OpenFiles", "Threads")
              VALUES (@server, 0, @at, @cpu, @memory, @files, @threads)
              ON CONFLICT ("ServerId", "ResolutionSeconds", "AtUnixMs") DO UPDATE SET "CpuPercent" = excluded."CpuPercent",
                  "MemoryBytes" = excluded."MemoryBytes", "OpenFiles" = excluded."OpenFiles", "Threads" = excluded."Threads"
              """;
        var server = AddParameter(insert, "@server", System.Data.DbType.Int32);
        AddParameter(insert, "@at", System.Data.DbType.Int64).Value = tick.At.ToUnixTimeMilliseconds();
        var cpu = AddParameter(insert, "@cpu", System.Data.DbType.Double);
        var memory = AddParameter(insert, "@memory", System.Data.DbType.Int64);
        var files = AddParameter(insert, "@files", System.Data.DbType.Int32);
        var threads = AddParameter(insert, "@threads", System.Data.DbType.Int32);
        insert.Prepare();
        foreach (var sample in live)
        {
            server.Value = sample.ServerId;
            cpu.Value = (object?)sample.CpuPercent ?? DBNull.Value;
            memory.Value = (object?)sample.MemoryBytes ?? DBNull.Value;
            files.Value = (object?)sample.OpenFiles ?? DBNull.Value;
            threads.Value = (object?)sample.Threads ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Averages ticks into minutes and minutes into hours past their cutoffs, drops what is past the last one
    /// and rows of servers that no longer exist. Each step is one statement pair in one transaction.</summary>
    public async Task<DownsampleResult> DownsampleAsync(HistoryRetention retention, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var (minuteRows, ticksRemoved) = await RollUpAsync(db, 0, HistoryRetention.Minute, retention.TickCutoff, cancellationToken);
        var (hourRows, minutesRemoved) = await RollUpAsync(db, HistoryRetention.Minute, HistoryRetention.Hour, retention.MinuteCutoff, cancellationToken);
        // Double-quoted identifiers: PostgreSQL folds unquoted ones to lower case; SQLite accepts the quotes too.
        var hoursPruned = await db.Database.ExecuteSqlInterpolatedAsync(
            $"""DELETE FROM "ResourceSamples" WHERE "ResolutionSeconds" = {HistoryRetention.Hour} AND "AtUnixMs" < {retention.HourCutoff}""", cancellationToken);
        var orphans = await db.Database.ExecuteSqlRawAsync(
            """DELETE FROM "ResourceSamples" WHERE "ServerId" NOT IN (SELECT "Id" FROM "Servers")""", cancellationToken);
        return new DownsampleResult(minuteRows, ticksRemoved, hourRows, minutesRemoved, hoursPruned, orphans);
    }

    private static async Task<(int Written, int Removed)> RollUpAsync(DashboardDbContext db, int from, int to, long cutoff, CancellationToken cancellationToken)
    {
        var size = to * 1000L;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // AVG skips NULLs (an unknown CPU rate right after a start), which is what an average of known figures should do.
        var written = db.Database.IsSqlite()
            ? await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT OR REPLACE INTO ResourceSamples (ServerId, ResolutionSeconds, AtUnixMs, CpuPercent, MemoryBytes, OpenFiles, Threads)
                SELECT ServerId, {to}, (AtUnixMs / {size}) * {size}, AVG(CpuPercent), CAST(AVG(MemoryBytes) AS INTEGER),
                       CAST(ROUND(AVG(OpenFiles)) AS INTEGER), CAST(ROUND(AVG(Threads)) AS INTEGER)
                FROM ResourceSamples WHERE ResolutionSeconds = {from} AND AtUnixMs < {cutoff}
                GROUP BY ServerId, AtUnixMs / {size}
                """, cancellationToken)
            // PostgreSQL: AVG of integers is numeric (TRUNC keeps SQLite's truncating cast of the memory figure), and the
            // parameters need types where the server cannot infer them from a column. GROUP BY the output columns: each {size}
            // is a parameter of its own, which PostgreSQL would not match to the same expression in the SELECT list.
            : await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO "ResourceSamples" ("ServerId", "ResolutionSeconds", "AtUnixMs", "CpuPercent", "MemoryBytes", "OpenFiles", "Threads")
                SELECT "ServerId", CAST({to} AS integer), ("AtUnixMs" / CAST({size} AS bigint)) * CAST({size} AS bigint), AVG("CpuPercent"),
                       CAST(TRUNC(AVG("MemoryBytes")) AS bigint), CAST(ROUND(AVG("OpenFiles")) AS integer), CAST(ROUND(AVG("Threads")) AS integer)
                FROM "ResourceSamples" WHERE "ResolutionSeconds" = {from} AND "AtUnixMs" < {cutoff}
                GROUP BY 1, 3
                ON CONFLICT ("ServerId", "ResolutionSeconds", "AtUnixMs") DO UPDATE SET "CpuPercent" = excluded."CpuPercent",
                    "MemoryBytes" = excluded."MemoryBytes", "OpenFiles" = excluded."OpenFiles", "Threads" = excluded."Threads"
                """, cancellationToken);
        var removed = await db.Database.ExecuteSqlInterpolatedAsync(
            $"""DELETE FROM "ResourceSamples" WHERE "ResolutionSeconds" = {from} AND "AtUnixMs" < {cutoff}""", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (written, removed);
    }

    private static DbParameter AddParameter(DbCommand command, string name, System.Data.DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>
    /// The series between <paramref name="from"/> (inclusive) and <paramref name="to"/> (exclusive), averaged into buckets of
    /// <paramref name="stepSeconds"/> (each point at its bucket's start), over whatever resolution the data has there.
    /// </summary>
    public async Task<IReadOnlyList<MetricPoint>> QueryAsync(int serverId, DateTimeOffset from, DateTimeOffset to, int stepSeconds, CancellationToken cancellationToken)
    {
        var fromMs = from.ToUnixTimeMilliseconds();
        var toMs = to.ToUnixTimeMilliseconds();
        var size = stepSeconds * 1000L;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ResourceSamples.AsNoTracking()
            .Where(s => s.ServerId == serverId && s.AtUnixMs >= fromMs && s.AtUnixMs < toMs)
            .GroupBy(s => s.AtUnixMs / size)
            .Select(g => new
            {
                Bucket = g.Key,
                Cpu = g.Average(s => s.CpuPercent),
                Memory = g.Average(s => (double?)s.MemoryBytes),
                Files = g.Average(s => (double?)s.OpenFiles),
                Threads = g.Average(s => (double?)s.Threads),
            })
            .OrderBy(r => r.Bucket)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new MetricPoint(
            DateTimeOffset.FromUnixTimeMilliseconds(r.Bucket * size),
            r.Cpu is { } c ? Math.Round(c, 2) : null,
            r.Memory is { } m ? (long)Math.Round(m) : null,
            r.Files is { } f ? (int)Math.Round(f) : null,
            r.Threads is { } t ? (int)Math.Round(t) : null)).ToList();
    }

    /// <summary>Rows and on-disk pages used by the history (benchmark, diagnostics).</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ResourceSamples.LongCountAsync(cancellationToken);
    }
}
