using Microsoft.EntityFrameworkCore;
using ServerDashboard.Auth;
using ServerDashboard.Data;

namespace ServerDashboard.Hosting;

/// <summary>
/// Work that must finish before the app serves traffic: migrate the database, then create the first admin.
/// Hosted services start before Kestrel accepts connections, so no request sees a half-ready store.
/// </summary>
public sealed class StartupTasks(
    IServiceScopeFactory scopes,
    StoreModelWarmUp modelWarmUp,
    DataDirectory dataDirectory,
    Microsoft.Extensions.Options.IOptions<DashboardOptions> options,
    ILogger<StartupTasks> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Data directory: {DataDirectory}; PID directory: {PidDirectory}", dataDirectory.Path, dataDirectory.RunDirectory);
        if (ProcessLaunchModes.Normalize(options.Value.Processes.LaunchMode) == ProcessLaunchModes.DoubleFork)
        {
            // Accepted for the seed's configurations; the effect is the same, so say so instead of pretending to fork twice.
            logger.LogInformation("Launch mode double_fork: servers are started with one posix_spawn in a new session (setsid), which detaches " +
                                  "them exactly as a double fork would (no controlling terminal, not our process group, re-parented to init when we exit)");
        }

        await modelWarmUp.WaitAsync(cancellationToken); // begun while the host was built (DashboardHost)
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<DashboardStore>();
        logger.LogInformation("Store: {Store}", store.Description);
        var db = scope.ServiceProvider.GetRequiredService<DashboardDbContext>();
        await StoreStartup.MigrateAsync(db, store, cancellationToken);
        if (store.IsSqlite)
        {
            // WAL: readers never wait for a writer and a commit costs one fsync instead of several (the mode is stored in the file).
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

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
