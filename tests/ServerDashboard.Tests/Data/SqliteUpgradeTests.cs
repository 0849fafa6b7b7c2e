using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Data;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Data;

/// <summary>
/// An install made before the PostgreSQL provider (its schema and migration history, Fixtures/sqlite-schema-before-postgresql.sql,
/// is `dotnet ef migrations script` of that version) starts on this version with its data and nothing left to migrate:
/// moving the SQLite migrations into their own folder and context kept their ids.
/// </summary>
public sealed class SqliteUpgradeTests
{
    [Fact]
    public async Task A_database_made_by_the_previous_migrations_opens_with_its_data_and_no_pending_migration()
    {
        using var data = new TempDirectory("sd-upgrade");
        TestStore.KeepOnSqlite(data.Path);
        var script = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "tests", "ServerDashboard.Tests", "Data", "Fixtures", "sqlite-schema-before-postgresql.sql"));
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data.Path, "dashboard.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = script + """
                INSERT INTO "Servers" ("Name", "Command", "WorkingDirectory", "Environment", "SecretEnvironmentKeys", "RconEnabled", "StopMode",
                                       "StopCommand", "StopTimeoutSeconds", "RestartPolicy", "LogFiles", "Notes", "CreatedAt", "UpdatedAt")
                VALUES ('Old-Server', '["/bin/sleep","60"]', '/tmp', '{}', '[]', 0, 'SigTerm', '', 10, 'No', '[]', 'from the old version', 0, 0);
                """;
            await command.ExecuteNonQueryAsync();
        }

        SqliteConnection.ClearAllPools();

        using var factory = new DashboardFactory(data.Path);
        var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
        var servers = await admin.GetFromJsonAsync<List<ServerModel>>("/api/v1/servers", JsonDefaults.Options);

        var old = Assert.Single(servers!);
        Assert.Equal("Old-Server", old.Name);
        Assert.Equal("from the old version", old.Notes);
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<DashboardDbContext>>().CreateDbContextAsync();
        Assert.IsType<SqliteDashboardDbContext>(db);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        // The same name in other letters is the same name, as before (NOCASE): a validation problem on the name.
        var clash = await admin.PostAsJsonAsync("/api/v1/servers", Api.ServerRequests.Valid("old-server"), JsonDefaults.Options);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, clash.StatusCode);
        Assert.Contains("name", await clash.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
