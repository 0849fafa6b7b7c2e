using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ServerDashboard.Processes;

namespace ServerDashboard.Hosting;

/// <summary>
/// The first hosted service: one dashboard per data directory. Takes <c>&lt;dataDir&gt;/dashboard.lock</c> (flock) before
/// anything touches the store or the PID files, holds it for the life of the process, and records the listen URLs
/// once Kestrel has bound them. A second instance fails to start with the holder's pid, start time and URL.
/// </summary>
public sealed class InstanceLockService(
    DataDirectory dataDirectory,
    IServer server,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<InstanceLockService> logger) : IHostedService, IDisposable
{
    private SingleInstanceLock? held;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var configuredUrls = (configuration[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);
        var acquired = SingleInstanceLock.Acquire(dataDirectory.Path, configuredUrls, HealthVersion.Current, time);
        held = acquired;
        logger.LogInformation("Holding the instance lock {LockPath}", acquired.Path);
        lifetime.ApplicationStarted.Register(() =>
        {
            if (server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } addresses)
            {
                acquired.UpdateUrls(addresses);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The last shutdown handler: another dashboard may start on the data directory from here on.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref held, null) is { } released)
        {
            released.Dispose();
            logger.LogInformation("Released the instance lock {LockPath}", released.Path);
        }
    }

    public void Dispose() => Release();
}
