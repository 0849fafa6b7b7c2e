using ServerDashboard.Auth;
using ServerDashboard.Logs;
using ServerDashboard.Servers;

namespace ServerDashboard.Api;

/// <summary>
/// A server's console: <c>GET /api/v1/servers/{id}/logs?lines=N</c> (the last N buffered lines, default 200, max 10,000) or
/// <c>?afterSeq=S</c> (buffered lines after S, at most <c>lines</c>), and <c>GET .../logs/download</c> (the whole current console.log).
/// </summary>
public static class LogsApi
{
    public const int DefaultLines = 200;
    public const int MaxLines = 10_000;

    public static void MapLogsApi(this RouteGroupBuilder api)
    {
        var servers = api.MapGroup("/servers").WithTags("Logs").RequireAuthorization(Policies.View);

        servers.MapGet("/{id:int}/logs", async Task<Results<Ok<IReadOnlyList<LogLine>>, ProblemHttpResult>> (
            int id, int? lines, long? afterSeq, ServerCatalog catalog, IServerLogs logs, CancellationToken cancellationToken) =>
        {
            if (await catalog.GetAsync(id, cancellationToken) is null)
            {
                return NotFound(id);
            }

            if (lines is < 1 or > MaxLines)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid lines",
                    detail: $"lines must be between 1 and {MaxLines}.");
            }

            return TypedResults.Ok(afterSeq is { } after
                ? logs.After(id, after, lines ?? MaxLines)
                : logs.Tail(id, lines ?? DefaultLines));
        }).WithName("GetServerLogs");

        servers.MapGet("/{id:int}/logs/download", async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> (
            int id, ServerCatalog catalog, LaunchPlanner planner, CancellationToken cancellationToken) =>
        {
            if (await catalog.GetAsync(id, cancellationToken) is not { } server)
            {
                return NotFound(id);
            }

            var path = planner.ConsoleLogPath(id);
            if (!File.Exists(path))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No console log",
                    detail: $"Server {id} has no console.log yet: it has not been started.");
            }

            // The length is taken when the response starts: a running server's later lines are not included.
            return TypedResults.PhysicalFile(path, "text/plain; charset=utf-8", $"{server.Name}-console.log");
        }).WithName("DownloadServerConsoleLog");
    }

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Server not found", detail: $"No server with id {id}.");
}
