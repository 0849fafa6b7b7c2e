using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;
using ServerDashboard.Hosting;

namespace ServerDashboard.Api;

public sealed record HealthResponse(string Status, string Version, string Database, long UptimeSeconds);

public static class HealthApi
{
    public static void MapHealthApi(this RouteGroupBuilder api) =>
        api.MapGet("/health", async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> (
                IDbContextFactory<DashboardDbContext> dbFactory, TimeProvider time, CancellationToken cancellationToken) =>
            {
                var uptime = (long)(time.GetUtcNow() - System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime()).TotalSeconds;
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                var healthy = await db.Database.CanConnectAsync(cancellationToken);
                var response = new HealthResponse(healthy ? "Healthy" : "Unhealthy", HealthVersion.Current, healthy ? "ok" : "unreachable", uptime);
                return healthy ? TypedResults.Ok(response) : TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .AllowAnonymous()
            .WithName("Health")
            .WithTags("Health");
}
