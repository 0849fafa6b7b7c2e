using Microsoft.Extensions.Options;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Servers;

public static class SupervisionServiceCollectionExtensions
{
    /// <summary>The supervisor's parts around the transition table (hosted services are the composition root's).</summary>
    public static IServiceCollection AddSupervision(this IServiceCollection services)
    {
        services.AddOptions<SupervisionOptions>();
        services.AddSingleton<ServerTransitionLog>();
        services.AddSingleton<ITransitionSink>(sp => sp.GetRequiredService<ServerTransitionLog>());
        services.AddSingleton<SupervisorWork>();
        services.AddSingleton(sp => new RestartTracker(sp.GetRequiredService<IOptionsMonitor<SupervisionOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<RestartScheduler>();
        services.AddSingleton<ReadinessWatcher>();
        services.AddSingleton<ServerExitHandler>();
        services.AddSingleton<BootReconciler>();
        services.AddSingleton<IMonitoringTickHandler, ServerHealthChecks>();
        services.AddSingleton<ServerProcesses>();
        // Where RCON connects, from the stored definitions: Rcon/ itself knows nothing of Data.
        services.AddSingleton<RconTargets>();
        services.AddSingleton<Rcon.RconTargetLookup>(sp => sp.GetRequiredService<RconTargets>().FindAsync);
        return services;
    }

    /// <summary>The configuration section and the hosted transition store (the host only; bUnit tests have neither).</summary>
    public static IServiceCollection AddSupervisionHosting(this IServiceCollection services)
    {
        services.AddOptions<SupervisionOptions>().BindConfiguration(SupervisionOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SupervisionOptions>, SupervisionOptionsValidator>();
        // Stops after the supervisor (hosted services stop in reverse order), so the last transitions are written.
        services.AddHostedService(sp => sp.GetRequiredService<ServerTransitionLog>());
        return services;
    }
}

/// <summary>A bad Dashboard:Supervision value stops the start with a message naming it.</summary>
internal sealed class SupervisionOptionsValidator : IValidateOptions<SupervisionOptions>
{
    public ValidateOptionsResult Validate(string? name, SupervisionOptions options) =>
        options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
