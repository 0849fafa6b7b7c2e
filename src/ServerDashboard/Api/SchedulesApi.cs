using System.Security.Claims;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Schedules;

namespace ServerDashboard.Api;

/// <summary>
/// Scheduled tasks (docs/schedules.md): <c>/api/v1/servers/{id}/schedules</c> — list and read (Viewers), create, update,
/// delete (Operators); <c>…/{scheduleId}/runs</c> the run history, newest first; <c>/api/v1/schedules</c> every
/// schedule of every server. 400 a validation problem keyed by field, 404 an unknown server or schedule.
/// </summary>
public static class SchedulesApi
{
    public static void MapSchedulesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/schedules", async (ScheduleService schedules, CancellationToken cancellationToken) =>
            TypedResults.Ok(await schedules.ListAllAsync(cancellationToken)))
            .RequireAuthorization(Policies.View).WithTags("Schedules").WithName("ListAllSchedules");

        var group = api.MapGroup("/servers/{id:int}/schedules").WithTags("Schedules");
        group.MapGet("", async Task<Results<Ok<IReadOnlyList<ScheduleView>>, ProblemHttpResult>> (int id, ScheduleService schedules, CancellationToken cancellationToken) =>
            await schedules.ListAsync(id, cancellationToken) is { } list ? TypedResults.Ok(list) : ServerNotFound(id))
            .RequireAuthorization(Policies.View).WithName("ListSchedules");

        group.MapGet("/{scheduleId:int}", async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> (int id, int scheduleId, ScheduleService schedules, CancellationToken cancellationToken) =>
            await schedules.GetAsync(id, scheduleId, cancellationToken) is { } view ? TypedResults.Ok(view) : ScheduleNotFound(id, scheduleId))
            .RequireAuthorization(Policies.View).WithName("GetSchedule");

        group.MapGet("/{scheduleId:int}/runs", async Task<Results<Ok<IReadOnlyList<ScheduleRunView>>, ProblemHttpResult>> (
            int id, int scheduleId, int? take, ScheduleService schedules, CancellationToken cancellationToken) =>
        {
            if (take is < 1 or > ScheduleService.MaxRunsTake)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid take", detail: $"take must be between 1 and {ScheduleService.MaxRunsTake}");
            }

            return await schedules.RunsAsync(id, scheduleId, take ?? 100, cancellationToken) is { } runs ? TypedResults.Ok(runs) : ScheduleNotFound(id, scheduleId);
        }).RequireAuthorization(Policies.View).WithName("ListScheduleRuns");

        group.MapPost("", async Task<Results<Created<ScheduleView>, ValidationProblem, ProblemHttpResult>> (
            int id, ScheduleBody? body, ScheduleService schedules, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var change = await schedules.CreateAsync(id, body ?? new ScheduleBody(), AuditActor.From(user, http), cancellationToken);
            return change switch
            {
                { NotFound: true } => ServerNotFound(id),
                { Schedule: { } saved } => TypedResults.Created($"/api/v1/servers/{id}/schedules/{saved.Id}", saved),
                _ => TypedResults.ValidationProblem(change.Errors, title: "The schedule is not valid"),
            };
        }).RequireAuthorization(Policies.Operate).WithName("CreateSchedule");

        group.MapPut("/{scheduleId:int}", async Task<Results<Ok<ScheduleView>, ValidationProblem, ProblemHttpResult>> (
            int id, int scheduleId, ScheduleBody? body, ScheduleService schedules, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var change = await schedules.UpdateAsync(id, scheduleId, body ?? new ScheduleBody(), AuditActor.From(user, http), cancellationToken);
            return change switch
            {
                { NotFound: true } => ScheduleNotFound(id, scheduleId),
                { Schedule: { } saved } => TypedResults.Ok(saved),
                _ => TypedResults.ValidationProblem(change.Errors, title: "The schedule is not valid"),
            };
        }).RequireAuthorization(Policies.Operate).WithName("UpdateSchedule");

        group.MapDelete("/{scheduleId:int}", async Task<Results<NoContent, ProblemHttpResult>> (
            int id, int scheduleId, ScheduleService schedules, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            await schedules.DeleteAsync(id, scheduleId, AuditActor.From(user, http), cancellationToken) ? TypedResults.NoContent() : ScheduleNotFound(id, scheduleId))
            .RequireAuthorization(Policies.Operate).WithName("DeleteSchedule");
    }

    private static ProblemHttpResult ServerNotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Server not found", detail: $"No server with id {id}.");

    private static ProblemHttpResult ScheduleNotFound(int id, int scheduleId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Schedule not found", detail: $"Server {id} has no schedule {scheduleId}.");
}
