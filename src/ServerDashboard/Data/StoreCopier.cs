using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace ServerDashboard.Data;

/// <summary>The target already holds data and the copy was not forced.</summary>
public sealed class StoreNotEmptyException(string message) : Exception(message);

/// <summary>What <see cref="StoreCopier"/> copied.</summary>
public sealed record StoreCopyResult(IReadOnlyList<(string Table, long Rows)> Tables, TimeSpan Elapsed)
{
    public long TotalRows => Tables.Sum(t => t.Rows);
}

/// <summary>
/// Copies a migrated SQLite store into a PostgreSQL database (<c>ServerDashboard db copy --to</c>): migrates the target,
/// then copies every table of the model in foreign-key order (principals first) with binary COPY in one transaction, so a
/// failure leaves the target as it was; then moves each identity sequence past the highest copied id. Values are copied as
/// stored (DateTimeOffsets as their 64-bit form, secrets still protected by the data directory's keys).
/// </summary>
public sealed class StoreCopier(DashboardStore source, DashboardStore target, TextWriter progress)
{
    public async Task<StoreCopyResult> CopyAsync(bool overwrite, CancellationToken cancellationToken)
    {
        if (!source.IsSqlite || target.IsSqlite)
        {
            throw new InvalidOperationException("db copy copies a SQLite store into PostgreSQL.");
        }

        var clock = Stopwatch.StartNew();
        await using var targetDb = target.Create(target.BuildOptions(null, null), null);
        progress.WriteLine($"Migrating the {target.Description}...");
        await StoreStartup.MigrateAsync(targetDb, target, cancellationToken);
        var tables = TablesInForeignKeyOrder(targetDb.Model);

        await using var from = new SqliteConnection(source.ConnectionString);
        await from.OpenAsync(cancellationToken);
        // One read transaction: every table is read from the same snapshot.
        await using var snapshot = from.BeginTransaction(deferred: true);

        await using var to = new NpgsqlConnection(target.ConnectionString);
        await to.OpenAsync(cancellationToken);
        await using var transaction = await to.BeginTransactionAsync(cancellationToken);

        var occupied = new List<string>();
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {Quote(table.Name)})", to, transaction);
            if ((bool)(await count.ExecuteScalarAsync(cancellationToken))!)
            {
                occupied.Add(table.Name);
            }
        }

        if (occupied.Count > 0)
        {
            if (!overwrite)
            {
                throw new StoreNotEmptyException($"The {target.Description} already holds data (tables {string.Join(", ", occupied)}). " +
                                                 "Copy into an empty database, or pass --force to replace its contents.");
            }

            progress.WriteLine($"--force: emptying {occupied.Count} table(s) of the target first.");
            await using var truncate = new NpgsqlCommand(
                $"TRUNCATE {string.Join(", ", tables.Select(t => Quote(t.Name)))} RESTART IDENTITY CASCADE", to, transaction);
            await truncate.ExecuteNonQueryAsync(cancellationToken);
        }

        progress.WriteLine($"Copying {tables.Count} tables from the {source.Description}:");
        var copied = new List<(string Table, long Rows)>();
        foreach (var table in tables)
        {
            var rows = await CopyTableAsync(table, from, snapshot, to, cancellationToken);
            await ResetIdentitiesAsync(table, to, transaction, cancellationToken);
            copied.Add((table.Name, rows));
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {table.Name,-28} {rows,10:N0} rows"));
        }

        await transaction.CommitAsync(cancellationToken);
        var result = new StoreCopyResult(copied, clock.Elapsed);
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Copied {result.TotalRows:N0} rows in {result.Elapsed.TotalSeconds:F1} s."));
        return result;
    }

    private static async Task<long> CopyTableAsync(Table table, SqliteConnection from, DbTransaction snapshot, NpgsqlConnection to, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", table.Columns.Select(c => Quote(c.Name)));
        await using var read = from.CreateCommand();
        read.Transaction = (SqliteTransaction)snapshot;
        read.CommandText = $"SELECT {columns} FROM {Quote(table.Name)}";
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        await using var writer = await to.BeginBinaryImportAsync($"COPY {Quote(table.Name)} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            await writer.StartRowAsync(cancellationToken);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var value = reader.IsDBNull(i) ? null : reader.GetValue(i);
                if (value is null)
                {
                    await writer.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await WriteAsync(writer, table.Columns[i], value, cancellationToken);
                }
            }

            rows++;
        }

        await writer.CompleteAsync(cancellationToken);
        return rows;
    }

    /// <summary>
    /// SQLite hands back INTEGER, REAL, TEXT or BLOB; binary COPY needs the exact type of the PostgreSQL column (an int into
    /// a bigint column would be misread), so each value is converted to the column's provider type first.
    /// </summary>
    private static Task WriteAsync(NpgsqlBinaryImporter writer, Column column, object value, CancellationToken cancellationToken) => column.Type switch
    {
        var t when t == typeof(string) => writer.WriteAsync(value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture)!, cancellationToken),
        var t when t == typeof(bool) => writer.WriteAsync(Convert.ToBoolean(value, CultureInfo.InvariantCulture), cancellationToken),
        var t when t == typeof(int) => writer.WriteAsync(Convert.ToInt32(value, CultureInfo.InvariantCulture), cancellationToken),
        var t when t == typeof(long) => writer.WriteAsync(Convert.ToInt64(value, CultureInfo.InvariantCulture), cancellationToken),
        var t when t == typeof(short) => writer.WriteAsync(Convert.ToInt16(value, CultureInfo.InvariantCulture), cancellationToken),
        var t when t == typeof(double) => writer.WriteAsync(Convert.ToDouble(value, CultureInfo.InvariantCulture), cancellationToken),
        var t when t == typeof(byte[]) => writer.WriteAsync((byte[])value, cancellationToken),
        // Primitive collections: SQLite keeps a JSON array in TEXT, PostgreSQL a native array (text[], integer[]).
        var t when t == typeof(List<string>) || t == typeof(string[]) => writer.WriteAsync(JsonArray<string>(column, value), cancellationToken),
        var t when t == typeof(List<int>) || t == typeof(int[]) => writer.WriteAsync(JsonArray<int>(column, value), cancellationToken),
        var t => throw new NotSupportedException($"Column {column.Name} has type {t.Name}, which db copy does not know how to copy."),
    };

    private static T[] JsonArray<T>(Column column, object value) =>
        System.Text.Json.JsonSerializer.Deserialize<T[]>(value as string ?? "[]")
        ?? throw new InvalidOperationException($"Column {column.Name} holds null where a JSON array was expected.");

    /// <summary>Identity columns were given explicit ids: the next generated id must come after the highest copied one.</summary>
    private static async Task ResetIdentitiesAsync(Table table, NpgsqlConnection to, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        foreach (var column in table.Columns.Where(c => c.IsIdentity))
        {
            await using var reset = new NpgsqlCommand(
                $"SELECT setval(pg_get_serial_sequence(@table, @column), COALESCE((SELECT MAX({Quote(column.Name)}) FROM {Quote(table.Name)}), 0) + 1, false)",
                to, transaction);
            reset.Parameters.AddWithValue("table", Quote(table.Name));
            reset.Parameters.AddWithValue("column", column.Name);
            await reset.ExecuteScalarAsync(cancellationToken);
        }
    }

    private sealed record Column(string Name, Type Type, bool IsIdentity);

    private sealed record Table(string Name, IReadOnlyList<Column> Columns, IReadOnlySet<string> DependsOn);

    /// <summary>Every table of the model, each after the tables its foreign keys point to.</summary>
    private static List<Table> TablesInForeignKeyOrder(IModel model)
    {
        var tables = model.GetEntityTypes()
            .Where(e => e.GetTableName() is not null && e.GetViewName() is null && !e.IsOwned())
            .GroupBy(e => e.GetTableName()!)
            .Select(group =>
            {
                var id = StoreObjectIdentifier.Table(group.Key, group.First().GetSchema());
                var columns = group.SelectMany(e => e.GetProperties())
                    .Select(p => (Property: p, Name: p.GetColumnName(id)))
                    .Where(p => p.Name is not null)
                    .DistinctBy(p => p.Name)
                    .Select(p =>
                    {
                        var mapping = p.Property.GetRelationalTypeMapping();
                        var type = mapping.Converter?.ProviderClrType ?? mapping.ClrType;
                        return new Column(p.Name!, Nullable.GetUnderlyingType(type) ?? type,
                            NpgsqlPropertyExtensions.GetValueGenerationStrategy(p.Property) is NpgsqlValueGenerationStrategy.IdentityByDefaultColumn or NpgsqlValueGenerationStrategy.IdentityAlwaysColumn);
                    })
                    .ToList();
                var dependsOn = group.SelectMany(e => e.GetForeignKeys())
                    .Select(fk => fk.PrincipalEntityType.GetTableName()!)
                    .Where(name => name != group.Key)
                    .ToHashSet(StringComparer.Ordinal);
                return new Table(group.Key, columns, dependsOn);
            })
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        var ordered = new List<Table>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        while (ordered.Count < tables.Count)
        {
            var ready = tables.Where(t => !placed.Contains(t.Name) && t.DependsOn.All(placed.Contains)).ToList();
            if (ready.Count == 0)
            {
                throw new InvalidOperationException("The model's foreign keys form a cycle: " +
                                                    string.Join(", ", tables.Where(t => !placed.Contains(t.Name)).Select(t => t.Name)));
            }

            foreach (var table in ready)
            {
                ordered.Add(table);
                placed.Add(table.Name);
            }
        }

        return ordered;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
