using System.Globalization;
using System.Security.Claims;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Processes;
using ServerDashboard.Servers;

namespace ServerDashboard.Api;

/// <summary>
/// Power actions and live state: <c>POST /api/v1/servers/{id}/start|stop|restart|kill</c> (Operators) answer 202 with the
/// new status or 409 with the reason; <c>GET .../status</c> and <c>.../process-info</c> (Viewers).
/// </summary>
public static class ServerPowerApi
{
    public static void MapServerPowerApi(this RouteGroupBuilder api)
    {
        var servers = api.MapGroup("/servers").WithTags("Power");

        servers.MapPost("/{id:int}/start", (int id, ServerSupervisor supervisor, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            Answer(id, supervisor.StartAsync(id, AuditActor.From(user, http), cancellationToken))).RequireAuthorization(Policies.Operate).WithName("StartServer");

        servers.MapPost("/{id:int}/stop", (int id, bool? wait, ServerSupervisor supervisor, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            Answer(id, supervisor.StopAsync(id, wait ?? false, AuditActor.From(user, http), cancellationToken))).RequireAuthorization(Policies.Operate).WithName("StopServer");

        servers.MapPost("/{id:int}/restart", (int id, bool? wait, ServerSupervisor supervisor, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            Answer(id, supervisor.RestartAsync(id, wait ?? false, AuditActor.From(user, http), cancellationToken))).RequireAuthorization(Policies.Operate).WithName("RestartServer");

        servers.MapPost("/{id:int}/kill", (int id, ServerSupervisor supervisor, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            Answer(id, supervisor.KillAsync(id, AuditActor.From(user, http), cancellationToken))).RequireAuthorization(Policies.Operate).WithName("KillServer");

        servers.MapPost("/shutdown-all", async (ServerSupervisor supervisor, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var results = await supervisor.ShutdownAllAsync(AuditActor.From(user, http), cancellationToken);
            return TypedResults.Ok(results.Select(r => r.Status).ToList());
        }).RequireAuthorization(Policies.Operate).WithName("ShutdownAllServers");

        servers.MapGet("/status", async (ServerCatalog catalog, ServerSupervisor supervisor, CancellationToken cancellationToken) =>
        {
            var ids = await catalog.ListIdsAsync(cancellationToken);
            return TypedResults.Ok(ids.Select(supervisor.GetStatus).ToList());
        }).RequireAuthorization(Policies.View).WithName("ListServerStatuses");

        servers.MapGet("/{id:int}/status", async Task<Results<Ok<ServerStatus>, ProblemHttpResult>> (
            int id, ServerCatalog catalog, ServerSupervisor supervisor, CancellationToken cancellationToken) =>
        {
            if (await catalog.GetAsync(id, cancellationToken) is null)
            {
                return NotFound(id);
            }

            // An explicit rescan: a valid PID file dropped in by hand is adopted and reported Running.
            return TypedResults.Ok(supervisor.Rescan(id));
        }).RequireAuthorization(Policies.View).WithName("GetServerStatus");

        servers.MapGet("/{id:int}/process-info", async Task<Results<Ok<ProcessStats>, ProblemHttpResult>> (
            int id, ServerCatalog catalog, ServerSupervisor supervisor, ServerProcesses stats, CancellationToken cancellationToken) =>
        {
            if (await catalog.GetAsync(id, cancellationToken) is null)
            {
                return NotFound(id);
            }

            supervisor.Rescan(id);
            var info = stats.FindByServer(id);
            return info is null
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No process", detail: $"Server {id} has no tracked process: it is not running.")
                : TypedResults.Ok(info);
        }).RequireAuthorization(Policies.View).WithName("GetServerProcessInfo");
    }

    private static async Task<Results<Accepted<ServerStatus>, ProblemHttpResult>> Answer(
        int id, Task<PowerResult> action)
    {
        var result = await action;

        return result.Outcome switch
        {
            PowerOutcome.Accepted => TypedResults.Accepted($"/api/v1/servers/{id}/status", result.Status),
            PowerOutcome.NotFound => NotFound(id),
            _ => TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Not possible now",
                detail: result.Reason,
                extensions: new Dictionary<string, object?> { ["state"] = result.Status.State.ToString() }),
        };
    }

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Server not found", detail: $"No server with id {id}.");
}
