namespace ServerDashboard.Hosting;

public static class ShutdownServiceCollectionExtensions
{
    /// <summary>The shutdown handler registry with the dashboard's own handlers, and SIGHUP configuration reload.</summary>
    public static IServiceCollection AddDashboardShutdown(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var handlers = new ShutdownHandlers(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ShutdownHandlers>>());
            DashboardShutdown.Register(handlers, sp);
            return handlers;
        });
        services.AddHostedService<DashboardShutdown>();
        services.AddHostedService<ConfigurationReload>();
        return services;
    }
}
