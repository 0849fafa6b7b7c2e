using Microsoft.Extensions.Options;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers;

public static class SupervisionServiceCollectionExtensions
{
    /// <summary>The supervisor's parts around the transition table (hosted services are the composition root's).</summary>
    public static IServiceCollection AddSupervision(this IServiceCollection services)
    {
        services.AddOptions<SupervisionOptions>().BindConfiguration(SupervisionOptions.SectionName)
            .Validate(o => !o.Problems().Any(), "Dashboard:Supervision is invalid (see docs/configuration.md).")
            .ValidateOnStart();
        services.AddSingleton<ServerTransitionLog>();
        services.AddSingleton<ITransitionSink>(sp => sp.GetRequiredService<ServerTransitionLog>());
        services.AddSingleton<SupervisorWork>();
        services.AddSingleton(sp => new RestartTracker(sp.GetRequiredService<IOptionsMonitor<SupervisionOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RestartScheduler>();
        services.AddSingleton<ReadinessWatcher>();
        services.AddSingleton<ServerExitHandler>();
        services.AddSingleton<BootReconciler>();
        services.AddSingleton<IMonitoringTickHandler, ServerHealthChecks>();
        services.AddPlaceholderCrashRecorder();
        return services;
    }
}
