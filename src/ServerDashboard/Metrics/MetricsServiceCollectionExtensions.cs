using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServerDashboard.Auth;
using ServerDashboard.Servers.Monitoring;

namespace ServerDashboard.Metrics;

public static class MetricsServiceCollectionExtensions
{
    /// <summary>
    /// <c>Dashboard:Metrics</c>, the registry behind <c>/metrics</c> and what feeds it, and the scrape policy (API key of
    /// any role, or an allow-listed address). With <see cref="MetricsOptions.Enabled"/> false nothing listens or counts.
    /// </summary>
    public static IServiceCollection AddDashboardMetrics(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.SectionName)
            .Validate(o => o.AllowedScrapers.All(e => ScrapeAllowList.TryParseEntry(e, out _)),
                "Dashboard:Metrics:AllowedScrapers must be IP addresses or CIDR networks (e.g. 127.0.0.1, 10.0.0.0/8).")
            .ValidateOnStart();
        services.TryAddSingleton<ServerTotals>();
        services.TryAddSingleton<MetricsTickHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMonitoringTickHandler, MetricsTickHandler>(sp => sp.GetRequiredService<MetricsTickHandler>()));
        services.TryAddSingleton<DashboardMetrics>();
        services.TryAddSingleton<MetricEventSources>();
        services.AddHostedService(sp => new EnabledOnly(sp.GetRequiredService<IOptions<MetricsOptions>>(), sp.GetRequiredService<MetricEventSources>));

        services.AddSingleton<IAuthorizationHandler, MetricsScrapeHandler>();
        services.Configure<AuthorizationOptions>(authorization => authorization.AddPolicy(MetricsApi.Policy, policy => policy
            // The API-key scheme only: an anonymous scrape from elsewhere is a plain 401, not a redirect to the login page.
            .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
            .AddRequirements(new MetricsScrapeRequirement())));
        return services;
    }

    /// <summary>Starts the event sources only when metrics are on (then the registry is built too).</summary>
    private sealed class EnabledOnly(IOptions<MetricsOptions> options, Func<MetricEventSources> sources) : IHostedService
    {
        private MetricEventSources? started;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.Enabled)
            {
                started = sources();
                await started.StartAsync(cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => started?.StopAsync(cancellationToken) ?? Task.CompletedTask;
    }
}
