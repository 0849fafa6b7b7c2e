using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerDashboard.Logs;

public static class LogsServiceCollectionExtensions
{
    /// <summary>
    /// The log services without the hosted tailing service: <see cref="ServerLogHub"/> (also as <see cref="IServerLogs"/>),
    /// <see cref="ConsoleLogRotator"/> (the supervisor rotates before each start) and <see cref="LogOptions"/> bound to
    /// "Dashboard:Logs". Host-less contexts (bUnit) use this; the app adds <see cref="AddLogTailing"/>.
    /// </summary>
    public static IServiceCollection AddLogs(this IServiceCollection services)
    {
        // Bound only when configuration exists: host-less contexts (bUnit) have none and get the defaults.
        services.AddOptions<LogOptions>().Configure<IServiceProvider>((options, sp) => sp.GetService<IConfiguration>()?.GetSection(LogOptions.SectionName).Bind(options))
            .Validate(o => o.BufferLines > 0 && o.BacklogLines >= 0 && o.SubscriberQueueLines > 0, "Dashboard:Logs line counts must be positive.")
            .Validate(o => o.KeepFiles >= 0 && o.MaxSizeMb > 0 && o.SizeCheckSeconds > 0, "Dashboard:Logs rotation settings must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics(); // IMeterFactory (the web host has it already; bUnit contexts do not)
        services.TryAddSingleton<LogMetrics>();
        services.TryAddSingleton<ServerLogHub>();
        services.TryAddSingleton<IServerLogs>(sp => sp.GetRequiredService<ServerLogHub>());
        services.TryAddSingleton<ConsoleLogRotator>();
        return services;
    }

    /// <summary>The hosted <see cref="LogTailingService"/>: register it after the supervisor so it starts after re-adoption.</summary>
    public static IServiceCollection AddLogTailing(this IServiceCollection services)
    {
        services.AddLogs();
        services.TryAddSingleton<LogTailingService>();
        services.AddHostedService(sp => sp.GetRequiredService<LogTailingService>());
        return services;
    }
}
