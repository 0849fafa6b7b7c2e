using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Cli;
using ServerDashboard.Data;
using ServerDashboard.Servers;
using ServerDashboard.Servers.Crashes;
using ServerDashboard.Servers.History;
using ServerDashboard.Servers.Monitoring;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Data;

/// <summary>
/// <c>ServerDashboard db copy --to</c> against the run's private PostgreSQL cluster: a SQLite install moves over with
/// its rows, ids, secrets and API keys, and the dashboard then runs on PostgreSQL from the same data directory.
/// </summary>
public sealed class DbCopyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [PostgreSqlFact]
    public async Task A_sqlite_install_is_copied_to_postgresql_and_the_dashboard_runs_on_the_copy()
    {
        using var data = new TempDirectory("sd-db-copy");
        TestStore.KeepOnSqlite(data.Path);
        int serverId, secondId;
        string apiKey;
        using (var sqlite = new DashboardFactory(data.Path))
        {
            var admin = await sqlite.CreateClientWithRoleAsync(Roles.Admin);
            var request = ServerRequests.Valid("Copied-Server", rcon: true);
            request.Rcon.Password = "rcon-secret-to-copy";
            serverId = (await (await admin.PostAsJsonAsync("/api/v1/servers", request, JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!.Id!.Value;
            secondId = (await (await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("second"), JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!.Id!.Value;
            apiKey = (await sqlite.Services.GetRequiredService<ApiKeyService>().CreateAsync("copied-key", Roles.Viewer, "tests", CancellationToken.None)).PlainTextKey;
            await sqlite.Services.GetRequiredService<ICrashRecorder>().RecordAsync(
                new CrashReport(serverId, DateTimeOffset.UtcNow, 3, null, 12, CrashClassification.Crash, "exited with code 3"), CancellationToken.None);
            var history = sqlite.Services.GetRequiredService<ResourceHistoryStore>();
            for (var i = 0; i < 50; i++)
            {
                await history.AppendAsync(new MonitoringTick(DateTimeOffset.UtcNow.AddSeconds(-5 * i),
                    [new ServerSample(serverId, 1, true, i, 1L << 30, 10, 2, 1)]), CancellationToken.None);
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var target = PostgresCluster.Shared.ConnectionString(TestStore.DatabaseNameFor(data.Path) + "_target");

        var copy = await ProcessRunner.RunAsync("ServerDashboard", ["db", "copy", "--to", target, "--data-dir", data.Path], Timeout);

        Assert.True(copy.ExitCode == 0, copy.StandardOutput + copy.StandardError);
        Assert.Contains("Servers", copy.StandardOutput);
        Assert.Matches(@"ResourceSamples\s+50 rows", copy.StandardOutput);
        Assert.Matches(@"Servers\s+2 rows", copy.StandardOutput);
        Assert.Matches(@"CrashRecords\s+1 rows", copy.StandardOutput);
        var output = copy.StandardOutput + copy.StandardError;
        Assert.DoesNotContain("unused-with-trust", output); // the connection string's password is never printed
        // Principals before their dependants: a server before its crash records.
        Assert.True(output.IndexOf("  Servers ", StringComparison.Ordinal) < output.IndexOf("  CrashRecords ", StringComparison.Ordinal), output);

        using var postgres = new DashboardFactory(data.Path, settings: new Dictionary<string, string>
        {
            [DashboardStore.ProviderKey] = "PostgreSql",
            [DashboardStore.ConnectionStringKey] = target,
        });
        var copiedAdmin = await postgres.CreateClientWithRoleAsync(Roles.Admin);
        var server = (await copiedAdmin.GetFromJsonAsync<ServerModel>($"/api/v1/servers/{serverId}", JsonDefaults.Options))!;
        Assert.Equal("Copied-Server", server.Name);
        Assert.Equal("rcon-secret-to-copy", server.Rcon.Password); // still decrypted by the data directory's keys
        var viewer = postgres.CreateAnonymousClient();
        viewer.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, apiKey);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/servers")).StatusCode);
        // The identity sequence continues after the copied ids, and names stay unique without regard to case.
        var third = (await (await copiedAdmin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("third"), JsonDefaults.Options)).ReadJsonAsync<ServerModel>())!;
        Assert.True(third.Id > secondId, $"new id {third.Id} after copied {secondId}");
        Assert.Equal(HttpStatusCode.BadRequest, (await copiedAdmin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("copied-server"), JsonDefaults.Options)).StatusCode);
        await using (var db = await postgres.Services.GetRequiredService<IDbContextFactory<DashboardDbContext>>().CreateDbContextAsync())
        {
            Assert.IsType<PostgreSqlDashboardDbContext>(db);
            Assert.Equal(50, await db.ResourceSamples.CountAsync(s => s.ServerId == serverId));
            Assert.Equal("exited with code 3", (await db.CrashRecords.SingleAsync()).Description);
        }

        postgres.Dispose();

        var again = await ProcessRunner.RunAsync("ServerDashboard", ["db", "copy", "--to", target, "--data-dir", data.Path], Timeout);
        Assert.Equal(DbCommands.TargetNotEmptyExitCode, again.ExitCode);
        Assert.Contains("already holds data", again.StandardError);
        Assert.Contains("--force", again.StandardError);

        var forced = await ProcessRunner.RunAsync("ServerDashboard", ["db", "copy", "--to", target, "--force", "--data-dir", data.Path], Timeout);
        Assert.True(forced.ExitCode == 0, forced.StandardOutput + forced.StandardError);
        Assert.Matches(@"Servers\s+2 rows", forced.StandardOutput); // the third server made on PostgreSQL was replaced
    }

    [Fact]
    public async Task Copying_a_data_directory_without_a_sqlite_store_says_so()
    {
        using var data = new TempDirectory("sd-db-copy-empty");

        var copy = await ProcessRunner.RunAsync("ServerDashboard", ["db", "copy", "--to", "Host=127.0.0.1;Database=x", "--data-dir", data.Path], Timeout);

        Assert.Equal(1, copy.ExitCode);
        Assert.Contains("No SQLite store to copy", copy.StandardError);
    }
}
