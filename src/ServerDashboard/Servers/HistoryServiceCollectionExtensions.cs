using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerDashboard.Servers.Crashes;
using ServerDashboard.Servers.History;
using ServerDashboard.Servers.Limits;
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

        services.AddOptions<LimitWarningOptions>().Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(LimitWarningOptions.SectionName).Bind(o))
            .Validate(o => o.SamplesBeforeWarning >= 1, "Dashboard:Monitoring:Limits:SamplesBeforeWarning must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<MonitoringOptions>()
            .Validate(o => o.History.FullResolutionHours >= 1 && o.History.MinuteAveragesDays >= 1 && o.History.HourAveragesDays >= 1,
                "Dashboard:Monitoring:History:FullResolutionHours, MinuteAveragesDays and HourAveragesDays must be at least 1.")
            .Validate(o => o.Crashes.RetentionPerServer >= 1 && o.Crashes.LastLines is >= 0 and <= 1000,
                "Dashboard:Monitoring:Crashes:RetentionPerServer must be at least 1 and LastLines between 0 and 1000.")
            .ValidateOnStart();
        services.TryAddSingleton<LimitWarningFeed>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMonitoringTickHandler, LimitWatcher>());
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
