using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Hosting;
using ServerDashboard.Ports;

namespace ServerDashboard.Api;

/// <summary><see cref="Details"/> only with <c>?details=true</c> from an authenticated caller; absent otherwise.</summary>
public sealed record HealthResponse(
    string Status,
    string Version,
    string Database,
    long UptimeSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] HealthDetails? Details = null);

/// <summary>The dashboard's own process status (the seed's <c>get_process_status</c>).</summary>
public sealed record HealthDetails(
    bool IsRunning,
    int Pid,
    DateTimeOffset RunningSince,
    string DataDirectory,
    IReadOnlyList<string> Urls,
    IReadOnlyList<ManagedPortStatus> ManagedPorts);

public static class HealthApi
{
    public static void MapHealthApi(this RouteGroupBuilder api) =>
        api.MapGet("/health", async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> (
                bool? details, IDbContextFactory<DashboardDbContext> dbFactory, TimeProvider time, ClaimsPrincipal user, IServiceProvider services,
                CancellationToken cancellationToken) =>
            {
                var started = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
                var uptime = (long)(time.GetUtcNow() - started).TotalSeconds;
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var healthy = await db.Database.CanConnectAsync(cancellationToken);
                var response = new HealthResponse(healthy ? "Healthy" : "Unhealthy", HealthVersion.Current, healthy ? "ok" : "unreachable", uptime);
                if (details == true && user.Identity?.IsAuthenticated == true)
                {
                    response = response with
                    {
                        Details = new HealthDetails(
                            true,
                            Environment.ProcessId,
                            new DateTimeOffset(started, TimeSpan.Zero),
                            services.GetRequiredService<DataDirectory>().Path,
                            services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [],
                            healthy
                                ? (await services.GetRequiredService<ManagedPorts>().StatusAsync(cancellationToken)).Select(p => p.ForCaller(PortsApi.CanSeeSecrets(user))).ToList()
                                : []),
                    };
                }

                return healthy ? TypedResults.Ok(response) : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .AllowAnonymous()
            .WithName("Health")
            .WithTags("Health");
}
