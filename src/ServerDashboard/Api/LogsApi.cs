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

        servers.MapGet("/{id:int}/logs/download", async Task<Results<FileStreamHttpResult, ProblemHttpResult>> (
            int id, ServerCatalog catalog, LaunchPlanner planner, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        {
            if (await catalog.GetAsync(id, cancellationToken) is not { } server)
            {
                return NotFound(id);
            }

            FileStream stream;
            try
            {
                // Never PhysicalFile: it would follow a symlink the game put in place of console.log, as root.
                stream = planner.OpenConsoleLog(id);
            }
            catch (FileNotFoundException)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No console log",
                    detail: $"Server {id} has no console.log yet: it has not been started.");
            }
            catch (IOException ex)
            {
                loggers.CreateLogger(typeof(LogsApi)).LogWarning("Console log download of server {ServerId} refused: {Error}", id, ex.Message);
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Console log refused",
                    detail: $"Server {id}'s console.log is not a regular file in its directory (a symbolic link?): it is not served.");
            }

            // The length is taken when the response starts: a running server's later lines are not included.
            return TypedResults.File(stream, "text/plain; charset=utf-8", $"{server.Name}-console.log");
        }).WithName("DownloadServerConsoleLog");
    }

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Server not found", detail: $"No server with id {id}.");
}
