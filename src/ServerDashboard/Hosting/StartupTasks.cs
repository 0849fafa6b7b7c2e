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
        await scope.ServiceProvider.GetRequiredService<AdminBootstrapper>().EnsureAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
