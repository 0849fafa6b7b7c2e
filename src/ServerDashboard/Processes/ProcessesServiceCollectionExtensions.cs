using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ServerDashboard.Processes;

public static class ProcessesServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Processes module: <see cref="DaemonManager"/> (start/stop/kill), <see cref="ProcessRegistry"/>
    /// (tracking, PID files, exits), <see cref="DaemonExitFeed"/> (exit stream), <see cref="ProcessStatsCollector"/>, <see cref="PortOwnerLookup"/>,
    /// <see cref="LockFileReader"/> and the <see cref="ExitMonitor"/> hosted service (loads PID files at start-up,
    /// reaps exits). Bind <see cref="ProcessOptions"/> yourself (e.g. <c>services.AddOptions&lt;ProcessOptions&gt;().BindConfiguration("Processes")</c>)
    /// and/or pass <paramref name="configure"/>. To verify legacy PID files, register an <see cref="ExpectedProcessLookup"/>.
    /// The single-instance lock is not registered: take it with <see cref="SingleInstanceLock.Acquire"/> before building the host.
    /// </summary>
    public static IServiceCollection AddProcesses(this IServiceCollection services, Action<ProcessOptions>? configure = null)
    {
        var options = services.AddOptions<ProcessOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), "ProcessOptions.DataDirectory is required")
            .Validate(o => o.ExitPollInterval > TimeSpan.Zero, "ProcessOptions.ExitPollInterval must be positive")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProcFs>();
        services.TryAddSingleton<ProcessHandles>();
        services.TryAddSingleton<ChildReaper>();
        services.TryAddSingleton<ExecutableResolver>();
        services.TryAddSingleton<LaunchCommandBuilder>();
        services.TryAddSingleton<StdinFifo>();
        services.TryAddSingleton<StdinWriter>();
        services.TryAddSingleton<DaemonLauncher>();
        services.TryAddSingleton<PidFileStore>();
        services.TryAddSingleton<PidFileValidator>();
        services.TryAddSingleton<LaunchRecordReconciler>();
        services.TryAddSingleton<StopIntents>();
        services.TryAddSingleton<DaemonExitFeed>();
        services.TryAddSingleton<ProcessRegistry>();
        services.TryAddSingleton<PidfdExitWatcher>();
        services.TryAddSingleton<Cgroups.CgroupManager>();
        services.TryAddSingleton<ProcessGroupSignaller>();
        services.TryAddSingleton<DaemonManager>();
        services.TryAddSingleton<IServerLauncher>(sp => sp.GetRequiredService<DaemonManager>()); // the launcher seam (docs/scale-out.md)
        services.TryAddSingleton<ProcessStatsCollector>();
        services.TryAddSingleton<PortOwnerLookup>();
        services.TryAddSingleton<LockFileReader>();
        services.AddHostedService<ExitMonitor>();
        return services;
    }
}
