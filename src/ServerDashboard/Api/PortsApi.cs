using System.Security.Claims;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Data;
using ServerDashboard.Ports;
using ServerDashboard.Processes;

namespace ServerDashboard.Api;

/// <summary>The body of <c>POST /api/v1/ports/{port}/free</c>; every field optional (no force: only the owner is shown).</summary>
public sealed record FreePortBody(bool? Force, int? MaxRetries, int? GraceSeconds);

/// <summary>The answer of a free: <c>outcome</c> is NotInUse, Freed, NeedsConfirmation, Refused or StillInUse.</summary>
public sealed record FreePortResponse(int Port, PortProtocol Protocol, FreePortOutcome Outcome, string Message, int Attempts, bool InUse, IReadOnlyList<PortOwnerInfo> Owners);

/// <summary>
/// <c>/api/v1/ports</c> (who holds a port, freeing it) and <c>/api/v1/managed-ports</c> (the registry of extra ports).
/// Viewers read (without command lines, which may hold secrets); freeing a port and changing the registry are an Admin's.
/// </summary>
public static class PortsApi
{
    public static void MapPortsApi(this RouteGroupBuilder api)
    {
        var ports = api.MapGroup("/ports").WithTags("Ports");

        ports.MapGet("/", async (ManagedPorts managed, ClaimsPrincipal user, CancellationToken cancellationToken) =>
            TypedResults.Ok((await managed.StatusAsync(cancellationToken)).Select(p => p.ForCaller(CanSeeSecrets(user))).ToList()))
            .RequireAuthorization(Policies.View).WithName("ListPorts");

        ports.MapGet("/{port:int}", Results<Ok<PortReport>, ProblemHttpResult> (int port, string? protocol, PortInspector inspector, ClaimsPrincipal user) =>
            Parse(port, protocol) is { Error: { } error }
                ? error
                : TypedResults.Ok(inspector.FindOwner(port, ParseProtocol(protocol)!.Value).ForCaller(CanSeeSecrets(user))))
            .RequireAuthorization(Policies.View).WithName("GetPort");

        ports.MapPost("/{port:int}/free", async Task<Results<Ok<FreePortResponse>, JsonHttpResult<FreePortResponse>, ProblemHttpResult>> (
            int port, string? protocol, FreePortBody? body, PortFreer freer, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (Parse(port, protocol) is { Error: { } error })
            {
                return error;
            }

            var request = new FreePortRequest(body?.Force ?? false, body?.MaxRetries ?? 3, body?.GraceSeconds ?? 5);
            if (request.Validate() is { } invalid)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid free request", detail: invalid);
            }

            var proto = ParseProtocol(protocol)!.Value;
            var result = await freer.FreePortAsync(port, proto, request, AuditActor.From(user, http), confirmed: null, cancellationToken);
            var response = new FreePortResponse(port, proto, result.Outcome, result.Message, result.Attempts,
                result.Outcome is not (FreePortOutcome.Freed or FreePortOutcome.NotInUse), result.Before.Owners);
            return result.Outcome is FreePortOutcome.Freed or FreePortOutcome.NotInUse
                ? TypedResults.Ok(response)
                : TypedResults.Json(response, statusCode: StatusCodes.Status409Conflict);
        }).RequireAuthorization(Policies.Admin).WithName("FreePort");

        var managedPorts = api.MapGroup("/managed-ports").WithTags("Ports");

        managedPorts.MapGet("/", async (ManagedPorts managed, CancellationToken cancellationToken) =>
            TypedResults.Ok(await managed.ListAsync(cancellationToken)))
            .RequireAuthorization(Policies.View).WithName("ListManagedPorts");

        managedPorts.MapPost("/", async Task<Results<Created<ManagedPortEntry>, ValidationProblem>> (
            ManagedPortInput input, ManagedPorts managed, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var change = await managed.AddAsync(input, AuditActor.From(user, http), cancellationToken);
            if (change.Port is not ManagedPort saved)
            {
                return TypedResults.ValidationProblem(change.Errors, title: "The managed port is not valid.");
            }

            return TypedResults.Created($"/api/v1/managed-ports/{saved.Id}",
                new ManagedPortEntry(saved.Id, saved.Name, saved.Port, saved.Protocol, ManagedPortKinds.Extra, null, null, saved.Note));
        }).RequireAuthorization(Policies.Admin).WithName("AddManagedPort");

        managedPorts.MapDelete("/{id:int}", async Task<Results<NoContent, ProblemHttpResult>> (
            int id, ManagedPorts managed, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            await managed.RemoveAsync(id, AuditActor.From(user, http), cancellationToken)
                ? TypedResults.NoContent()
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Managed port not found",
                    detail: $"No extra managed port has id {id} (a server's own ports go with its definition)."))
            .RequireAuthorization(Policies.Admin).WithName("RemoveManagedPort");
    }

    private static (ProblemHttpResult? Error, bool _) Parse(int port, string? protocol) =>
        port is < 1 or > 65535
            ? (TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid port", detail: "The port must be between 1 and 65535."), false)
            : ParseProtocol(protocol) is null
                ? (TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid protocol", detail: "protocol must be 'tcp' or 'udp'."), false)
                : (null, true);

    /// <summary>A command line may hold a secret (an expanded <c>{rconPassword}</c>): like secrets, only Admins see it.</summary>
    public static bool CanSeeSecrets(ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    public static PortProtocol? ParseProtocol(string? protocol) => protocol?.Trim().ToLowerInvariant() switch
    {
        null or "" or "tcp" => PortProtocol.Tcp,
        "udp" => PortProtocol.Udp,
        _ => null,
    };
}
