using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerDashboard.Schedules;

public static class SchedulesServiceCollectionExtensions
{
    /// <summary>
    /// Scheduled tasks (docs/schedules.md): <see cref="ScheduleOptions"/> ("Dashboard:Schedules"), the store, the real
    /// actions and the <see cref="ScheduleRunner"/> hosted service. Needs the servers and the Jobs module.
    /// </summary>
    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddScheduleStore();
        services.TryAddSingleton<IScheduledActions, ScheduledActions>();
        services.TryAddSingleton<ScheduleRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduleRunner>());
        return services;
    }

    /// <summary>The options and the store without the runner (bUnit tests use this too).</summary>
    public static IServiceCollection AddScheduleStore(this IServiceCollection services)
    {
        services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.SectionName)
            .Validate(o => o.RunHistoryPerSchedule is >= 1 and <= 100_000 && o.MissedAfterSeconds >= 1,
                "Dashboard:Schedules: RunHistoryPerSchedule must be from 1 to 100000, MissedAfterSeconds at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton<ScheduleService>();
        return services;
    }
}
