using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Prometheus;
using ServerDashboard.Auth;

namespace ServerDashboard.Metrics;

/// <summary><c>GET /metrics</c>: Prometheus text exposition of <see cref="DashboardMetrics.Registry"/>.</summary>
public static class MetricsApi
{
    public const string Path = "/metrics";
    public const string Policy = "MetricsScrape";

    public static IEndpointRouteBuilder MapDashboardMetrics(this IEndpointRouteBuilder endpoints)
    {
        if (!endpoints.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            return endpoints;
        }

        var registry = endpoints.ServiceProvider.GetRequiredService<DashboardMetrics>().Registry;
        endpoints.MapMetrics(Path, registry).RequireAuthorization(Policy);
        return endpoints;
    }
}

/// <summary>An API key of any role, or a client address on <see cref="MetricsOptions.AllowedScrapers"/>.</summary>
public sealed class MetricsScrapeRequirement : IAuthorizationRequirement;

public sealed class MetricsScrapeHandler(IOptionsMonitor<MetricsOptions> options) : AuthorizationHandler<MetricsScrapeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MetricsScrapeRequirement requirement)
    {
        var user = context.User;
        if (user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Operator) || user.IsInRole(Roles.Viewer))
        {
            context.Succeed(requirement);
        }
        else if (context.Resource is HttpContext http
                 && ScrapeAllowList.From(options.CurrentValue.AllowedScrapers).Allows(http.Connection.RemoteIpAddress))
        {
            // The address after the forwarded-headers middleware: behind a known proxy, the scraper's own.
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
