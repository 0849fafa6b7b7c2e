using Microsoft.EntityFrameworkCore;
using ServerDashboard.Auth;
using ServerDashboard.Data;

namespace ServerDashboard.Hosting;

/// <summary>
/// Work that must finish before the app serves traffic: migrate the database, then create the first admin.
/// Hosted services start before Kestrel accepts connections, so no request sees a half-ready store.
/// </summary>
public sealed class StartupTasks(IServiceScopeFactory scopes, DataDirectory dataDirectory, ILogger<StartupTasks> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Data directory: {DataDirectory}", dataDirectory.Path);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DashboardDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        // WAL: readers never wait for a writer and a commit costs one fsync instead of several (the mode is stored in the file).
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        RestrictPermissions();
        await scope.ServiceProvider.GetRequiredService<AdminBootstrapper>().EnsureAsync(cancellationToken);
    }

    /// <summary>
    /// The data, keys and logs directories 0700; the database (with its -wal/-shm, which SQLite creates with the database's
    /// mode) and the log files 0600: also on data directories made by older versions or by hand.
    /// </summary>
    private void RestrictPermissions()
    {
        foreach (var directory in new[] { dataDirectory.Path, dataDirectory.KeysDirectory, dataDirectory.LogsDirectory })
        {
            Processes.PrivateFiles.RestrictDirectory(directory);
        }

        foreach (var file in new[] { dataDirectory.DatabaseFile, dataDirectory.DatabaseFile + "-wal", dataDirectory.DatabaseFile + "-shm" }
                     .Concat(Directory.Exists(dataDirectory.LogsDirectory) ? Directory.GetFiles(dataDirectory.LogsDirectory) : []))
        {
            Processes.PrivateFiles.RestrictFile(file);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
