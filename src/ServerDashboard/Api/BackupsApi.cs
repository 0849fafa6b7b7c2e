using System.Security.Claims;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Jobs;

namespace ServerDashboard.Api;

/// <summary>
/// <c>/api/v1/servers/{id}/backups</c>: list (Viewers), start a backup job (Operators; body optional
/// <c>{ "stopServer": true }</c>; 202 with the job, 409 while one runs), download and delete (Admins), restore
/// (Operators; 202 with the restore job, 409 while the server or a backup/restore of it runs).
/// </summary>
public static class BackupsApi
{
    public static void MapBackupsApi(this RouteGroupBuilder api)
    {
        var backups = api.MapGroup("/servers/{id:int}/backups").WithTags("Backups");
        backups.MapGet("", (int id, BackupService service) => TypedResults.Ok(service.List(id)))
            .RequireAuthorization(Policies.View).WithName("ListBackups");

        backups.MapPost("", async Task<Results<Accepted<JobView>, ProblemHttpResult>> (int id, BackupRequest? body, BackupService service, TimeProvider time, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            try
            {
                var record = await service.StartAsync(id, body ?? new BackupRequest(), AuditActor.From(user, http), cancellationToken);
                return TypedResults.Accepted($"/api/v1/jobs/{record.Name}", JobView.From(record, time.GetUtcNow()));
            }
            catch (JobNotFoundException)
            {
                return Problem(StatusCodes.Status404NotFound, "Server not found", $"no server with id {id}");
            }
            catch (JobConflictException ex)
            {
                return Problem(StatusCodes.Status409Conflict, "A backup is running", ex.Message);
            }
            catch (JobInputException ex)
            {
                return Problem(StatusCodes.Status400BadRequest, "Cannot start the backup", ex.Message);
            }
        }).RequireAuthorization(Policies.Operate).WithName("StartBackup");

        backups.MapGet("/{file}", Results<PhysicalFileHttpResult, ProblemHttpResult> (int id, string file, BackupService service) =>
            service.PathOf(id, file) is { } path
                ? TypedResults.PhysicalFile(path, "application/gzip", file)
                : Problem(StatusCodes.Status404NotFound, "Backup not found", $"no backup '{file}' of server {id}"))
            .RequireAuthorization(Policies.Admin).WithName("DownloadBackup");

        backups.MapDelete("/{file}", async Task<Results<NoContent, ProblemHttpResult>> (int id, string file, BackupService service, ClaimsPrincipal user, HttpContext http) =>
            await service.DeleteAsync(id, file, AuditActor.From(user, http)) switch
            {
                BackupOutcome.Done => TypedResults.NoContent(),
                BackupOutcome.Invalid => Problem(StatusCodes.Status400BadRequest, "Invalid backup name", "a backup name is <yyyyMMddTHHmmss.fffZ>.tar.gz"),
                _ => Problem(StatusCodes.Status404NotFound, "Backup not found", $"no backup '{file}' of server {id}"),
            })
            .RequireAuthorization(Policies.Admin).WithName("DeleteBackup");

        backups.MapPost("/{file}/restore", async Task<Results<Accepted<JobView>, ProblemHttpResult>> (int id, string file, BackupService service, TimeProvider time, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            try
            {
                var (outcome, message, job) = await service.RestoreAsync(id, file, AuditActor.From(user, http), cancellationToken);
                return outcome switch
                {
                    BackupOutcome.Done when job is not null => TypedResults.Accepted($"/api/v1/jobs/{job.Name}", JobView.From(job, time.GetUtcNow())),
                    BackupOutcome.ServerRunning => Problem(StatusCodes.Status409Conflict, "Cannot restore now", message),
                    BackupOutcome.NotFound => Problem(StatusCodes.Status404NotFound, "Backup not found", message),
                    _ => Problem(StatusCodes.Status400BadRequest, "Invalid backup name", "a backup name is <yyyyMMddTHHmmss.fffZ>.tar.gz"),
                };
            }
            catch (JobInputException ex)
            {
                return Problem(StatusCodes.Status400BadRequest, "Cannot start the restore", ex.Message);
            }
        }).RequireAuthorization(Policies.Operate).WithName("RestoreBackup");
    }

    private static ProblemHttpResult Problem(int status, string title, string? detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
