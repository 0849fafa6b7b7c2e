using Microsoft.EntityFrameworkCore;
using ServerDashboard.Hosting;

namespace ServerDashboard.Data;

public static class StoreServiceCollectionExtensions
{
    /// <summary>
    /// The store of <see cref="DashboardStore.FromConfiguration"/>: <see cref="IDbContextFactory{TContext}"/> of
    /// <see cref="DashboardDbContext"/> for singletons and a scoped <see cref="DashboardDbContext"/> (Identity, endpoints).
    /// The provider is read when first resolved, so test hosts can set it like any other setting.
    /// </summary>
    public static IServiceCollection AddDashboardStore(this IServiceCollection services)
    {
        services.AddSingleton(sp => DashboardStore.FromConfiguration(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<DataDirectory>()));
        services.AddSingleton<RconPasswordProtector>();
        services.AddSingleton(sp =>
        {
            var store = sp.GetRequiredService<DashboardStore>();
            var protector = sp.GetRequiredService<RconPasswordProtector>();
            return new DashboardDbContextFactory(store, store.BuildOptions(sp.GetService<ILoggerFactory>(), protector), protector);
        });
        services.AddSingleton<IDbContextFactory<DashboardDbContext>>(sp => sp.GetRequiredService<DashboardDbContextFactory>());
        services.AddScoped(sp => sp.GetRequiredService<DashboardDbContextFactory>().CreateDbContext());
        services.AddSingleton<StoreModelWarmUp>();
        return services;
    }
}
