using System.Security.Claims;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Servers;

namespace ServerDashboard.Api;

public sealed record CommandRequest(string? Command);

/// <summary><see cref="Response"/> is "" when <see cref="Via"/> is "stdin": the reply, if any, appears in the console log.</summary>
public sealed record CommandResponse(string Response, double DurationMs, string Via);

/// <summary>
/// <c>POST /api/v1/servers/{id}/commands</c> <c>{ "command": "list" }</c> (Operators): 200 with the reply, 400 invalid
/// command, 404 unknown server, 409 not running, 502 when RCON or the console input failed.
/// </summary>
public static class ConsoleCommandsApi
{
    public static void MapConsoleCommandsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/servers/{id:int}/commands", async Task<Results<Ok<CommandResponse>, ProblemHttpResult>> (
            int id, CommandRequest request, ConsoleCommands commands, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var result = await commands.SendAsync(id, request.Command, AuditActor.From(user, http), cancellationToken);
            return result.Outcome switch
            {
                CommandOutcome.Sent => TypedResults.Ok(new CommandResponse(result.Response, result.Duration.TotalMilliseconds, result.Via!)),
                CommandOutcome.NotFound => Problem(StatusCodes.Status404NotFound, "Server not found", result.Error),
                CommandOutcome.NotRunning => Problem(StatusCodes.Status409Conflict, "Not running", result.Error),
                CommandOutcome.Invalid => Problem(StatusCodes.Status400BadRequest, "Invalid command", result.Error),
                _ => Problem(StatusCodes.Status502BadGateway, "The server did not take the command", result.Error),
            };
        }).RequireAuthorization(Policies.Operate).WithTags("Console").WithName("SendServerCommand");
    }

    private static ProblemHttpResult Problem(int status, string title, string? detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
