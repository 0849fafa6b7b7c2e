using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServerDashboard.Hosting;

namespace ServerDashboard.Jobs;

public static class JobsServiceCollectionExtensions
{
    /// <summary>
    /// Background jobs: <see cref="JobOptions"/> ("Dashboard:Jobs"), <see cref="JobFiles"/> over the PID directory,
    /// <see cref="JobRunner"/>, job types and backups, and the <see cref="JobMonitorService"/> that re-adopts and watches.
    /// Needs the Processes module (launcher, signaller, reaper).
    /// </summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddOptions<JobOptions>().BindConfiguration(JobOptions.SectionName)
            .Validate(o => o.DefaultCancelTimeoutSeconds > 0 && o.PollIntervalSeconds > 0 && o.HistoryKeep > 0 && o.BackupRetention > 0 && o.HistoryLogTailLines >= 0,
                "Dashboard:Jobs: DefaultCancelTimeoutSeconds, PollIntervalSeconds, HistoryKeep and BackupRetention must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new JobFiles(PidDirectoryOf(sp)));
        services.TryAddSingleton<JobLogStreams>();
        services.TryAddSingleton<JobRunner>();
        services.TryAddSingleton<JobService>();
        services.TryAddSingleton<BackupService>();
        services.AddSingleton<Servers.IServerStartVeto, BackupStartVeto>();
        // Before the monitor: subscribed to job ends before its first pass records what ended while the dashboard was down.
        services.AddHostedService<BackupServerRestarter>();
        services.AddHostedService<JobMonitorService>();
        return services;
    }

    /// <summary>Dashboard:Jobs:PidDirectory, else &lt;dataDir&gt;/jobs.</summary>
    public static string PidDirectoryOf(IServiceProvider sp) =>
        sp.GetRequiredService<IOptions<JobOptions>>().Value.PidDirectory is { Length: > 0 } dir
            ? Path.GetFullPath(dir)
            : Path.Combine(sp.GetRequiredService<DataDirectory>().Path, "jobs");
}
