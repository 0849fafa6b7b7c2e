using ServerDashboard.Processes;

namespace ServerDashboard.Ports;

public static class PortsServiceCollectionExtensions
{
    /// <summary>
    /// The Ports area: <see cref="PortInspector"/>, <see cref="PortFreer"/>, <see cref="ManagedPorts"/> and the start-up
    /// check of managed ports (a hosted service: register after the supervisor, which re-adopts daemons first).
    /// </summary>
    public static IServiceCollection AddPorts(this IServiceCollection services)
    {
        services.AddOptions<PortsOptions>().BindConfiguration(PortsOptions.SectionName)
            .Validate(o => o.CleanupGraceSeconds is >= 0 and <= FreePortRequest.MaxGraceSeconds,
                $"Dashboard:Ports:CleanupGraceSeconds must be between 0 and {FreePortRequest.MaxGraceSeconds}.");
        services.AddSingleton<UserNames>();
        services.AddSingleton(sp => DashboardProcessInfo.Current(sp.GetRequiredService<ProcFs>()));
        services.AddSingleton<FreeRefusals>();
        services.AddSingleton<PortInspector>();
        services.AddSingleton<PortFreer>();
        services.AddSingleton<ManagedPorts>();
        services.AddSingleton<PortFindings>();
        services.AddSingleton<StartupPortCheck>();
        services.AddHostedService<StartupPortCheckService>();
        return services;
    }
}
