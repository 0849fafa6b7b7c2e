using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerDashboard.Servers.Crashes;
using ServerDashboard.Servers.History;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers;

public static class HistoryServiceCollectionExtensions
{
    /// <summary>Crash records and resource history without hosted services (bUnit tests use this too).</summary>
    public static IServiceCollection AddServerHistory(this IServiceCollection services)
    {
        // TryAdd throughout: safe to call from both the host and host-less registrations.
        services.TryAddSingleton<ConsoleTail>();
        services.TryAddSingleton<CrashFeed>();
        services.TryAddSingleton<CrashHistory>();
        if (!services.Any(d => d.ServiceType == typeof(ICrashRecorder) && d.ImplementationType == typeof(CrashRecorder)))
        {
            // Added, not tried: wins over the placeholder the supervision registers with TryAdd.
            services.AddSingleton<ICrashRecorder, CrashRecorder>();
        }

        services.TryAddSingleton<LiveSampleFeed>();
        services.TryAddSingleton<ResourceHistoryStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMonitoringTickHandler, ResourceHistoryRecorder>());
        return services;
    }

    /// <summary><see cref="AddServerHistory"/> and the background downsampling/pruning of the history.</summary>
    public static IServiceCollection AddServerHistoryMaintenance(this IServiceCollection services)
    {
        services.AddServerHistory();
        services.AddSingleton<ResourceHistoryMaintenance>();
        services.AddHostedService(sp => sp.GetRequiredService<ResourceHistoryMaintenance>());
        return services;
    }
}
