using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using ServerDashboard.Data;
using ServerDashboard.Hosting;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Data;

/// <summary>
/// Start-up migrates only when the history table lacks one of this build's migrations (the up-to-date case skips EF's
/// Migrate and with it EF's own pending-model-changes check, which this class makes explicit instead).
/// </summary>
public sealed class StoreStartupTests
{
    [Fact]
    public void Neither_providers_model_has_changes_without_a_migration()
    {
        using var sqlite = new SqliteDesignTimeFactory().CreateDbContext([]);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "SQLite: run scripts/add-migration.sh");
        using var postgreSql = new PostgreSqlDesignTimeFactory().CreateDbContext([]);
        Assert.False(postgreSql.Database.HasPendingModelChanges(), "PostgreSQL: run scripts/add-migration.sh");
    }

    [Fact]
    public async Task A_store_missing_the_latest_migration_gets_it_and_an_up_to_date_store_stays_as_it_is()
    {
        using var data = new TempDirectory("sd-migrate");
        var store = DashboardStore.FromConfiguration(new ConfigurationBuilder().Build(), new DataDirectory(data.Path));
        var options = store.BuildOptions(loggerFactory: null, protector: null);
        await using (var db = store.Create(options, protector: null))
        {
            // An older build's store: every migration but the last.
            var migrations = db.Database.GetMigrations().ToList();
            await db.GetService<IMigrator>().MigrateAsync(migrations[^2]);
            Assert.Equal([migrations[^1]], await db.Database.GetPendingMigrationsAsync());

            await StoreStartup.MigrateAsync(db, store, CancellationToken.None);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        var before = await HistoryAsync(store.ConnectionString);
        await using (var db = store.Create(options, protector: null))
        {
            await StoreStartup.MigrateAsync(db, store, CancellationToken.None); // nothing to apply: no error, nothing written
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        Assert.Equal(before, await HistoryAsync(store.ConnectionString));
        SqliteConnection.ClearAllPools();
    }

    private static async Task<List<string>> HistoryAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """SELECT "MigrationId" || ' ' || "ProductVersion" FROM "__EFMigrationsHistory" ORDER BY 1""";
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
