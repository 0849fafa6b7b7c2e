using System.Security.Claims;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Servers;

namespace ServerDashboard.Api;

/// <summary>
/// <c>/api/v1/servers</c>: Viewers and Operators read, Admins change definitions (a definition is a program the
/// dashboard will run, so defining one is an Admin's power). Only Admins receive secrets.
/// </summary>
public static class ServersApi
{
    public static void MapServersApi(this RouteGroupBuilder api)
    {
        var servers = api.MapGroup("/servers").WithTags("Servers").RequireAuthorization(Policies.View);

        servers.MapGet("/", async (ServerCatalog catalog, RunAsAdvisor runAs, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        {
            var all = await catalog.ListAsync(cancellationToken);
            return TypedResults.Ok(all.Select(s => WithWarning(ServerMapper.ToModel(s, CanSeeSecrets(user)), runAs)).ToList());
        }).WithName("ListServers");

        servers.MapGet("/{id:int}", async Task<Results<Ok<ServerModel>, ProblemHttpResult>> (
            int id, ServerCatalog catalog, RunAsAdvisor runAs, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        {
            var server = await catalog.GetAsync(id, cancellationToken);
            return server is null ? NotFound(id) : TypedResults.Ok(WithWarning(ServerMapper.ToModel(server, CanSeeSecrets(user)), runAs));
        }).WithName("GetServer");

        servers.MapPost("/", async Task<Results<Created<ServerModel>, ValidationProblem>> (
            ServerModel model, ServerCatalog catalog, RunAsAdvisor runAs, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var result = await catalog.CreateAsync(model, AuditActor.From(user, http), cancellationToken);
            return result.Succeeded
                ? TypedResults.Created($"/api/v1/servers/{result.Server!.Id}", WithWarning(ServerMapper.ToModel(result.Server, includeSecrets: true), runAs))
                : TypedResults.ValidationProblem(result.Errors.ToDictionary(), title: "The server definition is not valid.");
        }).RequireAuthorization(Policies.Admin).WithName("CreateServer");

        servers.MapPut("/{id:int}", async Task<Results<Ok<ServerModel>, ValidationProblem, ProblemHttpResult>> (
            int id, ServerModel model, ServerCatalog catalog, RunAsAdvisor runAs, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var result = await catalog.UpdateAsync(id, model, AuditActor.From(user, http), cancellationToken);
            if (result.NotFound)
            {
                return NotFound(id);
            }

            return result.Succeeded
                ? TypedResults.Ok(WithWarning(ServerMapper.ToModel(result.Server!, includeSecrets: true), runAs))
                : TypedResults.ValidationProblem(result.Errors.ToDictionary(), title: "The server definition is not valid.");
        }).RequireAuthorization(Policies.Admin).WithName("UpdateServer");

        servers.MapDelete("/{id:int}", async Task<Results<NoContent, ProblemHttpResult>> (
            int id, ServerCatalog catalog, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            await catalog.DeleteAsync(id, AuditActor.From(user, http), cancellationToken) switch
            {
                DeleteOutcome.Deleted => TypedResults.NoContent(),
                DeleteOutcome.Running => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Server is running",
                    detail: $"Server {id} is running: stop it before deleting its definition."),
                _ => NotFound(id),
            })
            .RequireAuthorization(Policies.Admin).WithName("DeleteServer");

        api.MapGet("/server-templates", async (ServerTemplates templates, CancellationToken cancellationToken) =>
            TypedResults.Ok(await templates.ListAsync(cancellationToken)))
            .RequireAuthorization(Policies.View).WithTags("Servers").WithName("ListServerTemplates");
    }

    private static ServerModel WithWarning(ServerModel model, RunAsAdvisor runAs)
    {
        model.RunAsWarning = runAs.WarningFor(model.RunAsUser);
        return model;
    }

    private static bool CanSeeSecrets(ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Server not found", detail: $"No server with id {id}.");
}
