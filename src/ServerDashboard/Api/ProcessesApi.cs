using System.Security.Claims;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Processes;
using ServerDashboard.Servers;

namespace ServerDashboard.Api;

public sealed record CleanupResponse(string Mode, int Removed);

/// <summary><c>/api/v1/processes</c>: the tracked daemons with /proc figures, and cleanup of stale tracking.</summary>
public static class ProcessesApi
{
    public static void MapProcessesApi(this RouteGroupBuilder api)
    {
        var processes = api.MapGroup("/processes").WithTags("Processes");

        processes.MapGet("/", (ServerProcesses stats) => TypedResults.Ok(stats.Collect()))
            .RequireAuthorization(Policies.View).WithName("ListProcesses");

        processes.MapGet("/{pid:int}", Results<Ok<ProcessStats>, ProblemHttpResult> (int pid, ServerProcesses stats) =>
            stats.FindByPid(pid) is { } process
                ? TypedResults.Ok(process)
                : NotTracked(pid))
            .RequireAuthorization(Policies.View).WithName("GetProcess");

        // Force cleanup: stop it if it is ours (alive and verified), then forget it and delete its PID file.
        processes.MapDelete("/{pid:int}", async Task<Results<Ok<CleanupResponse>, ProblemHttpResult>> (
            int pid, ProcessCleanup cleanup, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var result = await cleanup.ForceCleanupAsync(pid, AuditActor.From(user, http), cancellationToken);
            if (result.Refused is { } why)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Force cleanup refused", detail: why);
            }

            return result.Tracked ? TypedResults.Ok(new CleanupResponse("force", 1)) : NotTracked(pid);
        }).RequireAuthorization(Policies.Operate).WithName("ForceCleanupProcess");

        processes.MapPost("/cleanup", async Task<Results<Ok<CleanupResponse>, ProblemHttpResult>> (
            string? mode, ProcessCleanup cleanup, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            switch ((mode ?? "dead").ToLowerInvariant())
            {
                case "dead":
                    return TypedResults.Ok(new CleanupResponse("dead", cleanup.CleanupDead()));
                case "all":
                    return TypedResults.Ok(new CleanupResponse("all", await cleanup.CleanupAllAsync(AuditActor.From(user, http), cancellationToken)));
                default:
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unknown cleanup mode",
                        detail: $"mode must be 'dead' (drop exited daemons) or 'all' (also re-check every PID file), not '{mode}'.");
            }
        }).RequireAuthorization(Policies.Operate).WithName("CleanupProcesses");
    }

    private static ProblemHttpResult NotTracked(int pid) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Process not tracked", detail: $"No tracked daemon has pid {pid}.");
}
