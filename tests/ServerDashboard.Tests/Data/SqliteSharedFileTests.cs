using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using ServerDashboard.Auth;
using ServerDashboard.Processes;
using ServerDashboard.Servers;
using ServerDashboard.Tests.Api;
using ServerDashboard.Tests.Infrastructure;

namespace ServerDashboard.Tests.Data;

/// <summary>
/// The dashboard shares dashboard.db with CLI processes (a backup job runs <c>ServerDashboard backup create</c>, an admin
/// runs <c>apikey create</c>). SQLite coordinates them with POSIX (fcntl) locks, which a process loses on a file when it
/// closes <em>any</em> fd of it: a start-up permission check that opened and closed the database files released the
/// dashboard's locks, and the next CLI process to exit took itself for the last user, checkpointed and deleted the WAL
/// under the running dashboard ("disk I/O error" on its next write, a lost webhook event in CI).
/// </summary>
public sealed class SqliteSharedFileTests
{
    [Fact]
    public async Task A_cli_process_closing_the_database_leaves_the_running_dashboards_writes_working_and_kept()
    {
        using var data = new TempDirectory("sd-shared-db");
        TestStore.KeepOnSqlite(data.Path);
        var database = Path.Combine(data.Path, "dashboard.db");
        using (var factory = new DashboardFactory(data.Path))
        {
            var admin = await factory.CreateClientWithRoleAsync(Roles.Admin);
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid("before-cli"), JsonDefaults.Options)).StatusCode);
            // A connection of this process that stays open, outside the pool: other tests in this process clear every
            // SQLite pool (ClearAllPools), and a dashboard with no open connection may rightly see the WAL go when the
            // last other user closes. SQLite shares one lock state per file across a process's connections, so on the
            // old code this connection found the lock "held" and took none: the assertions below failed all the same.
            await using var held = new SqliteConnection($"Data Source={database};Pooling=False");
            await held.OpenAsync();
            await using (var read = held.CreateCommand())
            {
                read.CommandText = "SELECT count(*) FROM Servers";
                await read.ExecuteScalarAsync();
            }

            Assert.True(HoldsLockOn(database), "the process holds SQLite's lock on its database after start-up");

            for (var i = 0; i < 2; i++)
            {
                var cli = await ProcessRunner.RunAsync("ServerDashboard", ["apikey", "create", "--name", $"cli-{i}", "--role", "viewer", "--data-dir", data.Path], TimeSpan.FromSeconds(60));
                Assert.True(cli.ExitCode == 0, cli.StandardError);
                Assert.True(File.Exists(database + "-wal"), "the CLI's exit must not checkpoint and delete the WAL the dashboard still uses");
                var created = await admin.PostAsJsonAsync("/api/v1/servers", ServerRequests.Valid($"after-cli-{i}"), JsonDefaults.Options);
                Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            }
        }

        SqliteConnection.ClearAllPools();
        using var reopened = new DashboardFactory(data.Path);
        var servers = await (await reopened.CreateClientWithRoleAsync(Roles.Admin)).GetFromJsonAsync<List<ServerModel>>("/api/v1/servers", JsonDefaults.Options);
        Assert.Equal(["after-cli-0", "after-cli-1", "before-cli"], servers!.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Inspecting_and_restricting_the_database_files_keeps_this_process_locks()
    {
        using var data = new TempDirectory("sd-locks");
        var database = Path.Combine(data.Path, "dashboard.db");
        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1); SELECT count(*) FROM t;";
            await command.ExecuteScalarAsync();
        }

        Assert.True(HoldsLockOn(database), "an open WAL connection holds a lock on the database file");

        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            _ = PrivateFiles.Inspect(file);
            _ = PrivateFiles.ModeOf(file);
            PrivateFiles.RestrictFile(file);
        }

        Assert.True(HoldsLockOn(database), "the checks must not have dropped SQLite's POSIX locks (closing any fd of a file does)");
        Assert.True(HoldsLockOn(database + "-shm"));
    }

    /// <summary>Whether /proc/locks lists a POSIX lock of this process on the file's inode.</summary>
    private static bool HoldsLockOn(string path)
    {
        var inode = ServerDashboard.Processes.Native.LinuxNative.StatxIdentity(-1, path)?.Inode ?? throw new FileNotFoundException(path);
        var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        // "1: POSIX  ADVISORY  READ 1234 08:01:5678 128 128": pid, then major:minor:inode.
        return File.ReadLines("/proc/locks")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(f => f.Length >= 6 && f[1] == "POSIX" && f[4] == pid && f[5].Split(':') is [_, _, var ino] && ulong.Parse(ino, CultureInfo.InvariantCulture) == inode);
    }
}
