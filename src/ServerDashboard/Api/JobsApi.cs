using System.Security.Claims;
using ServerDashboard.Audit;
using ServerDashboard.Auth;
using ServerDashboard.Jobs;

namespace ServerDashboard.Api;

/// <summary><c>POST /api/v1/jobs</c>: a defined type (<see cref="Type"/>) or, for Admins, an ad-hoc argv (<see cref="Command"/>).</summary>
public sealed record JobStartBody(string? Name, string? Type, List<string>? Command, string? WorkingDirectory);

public sealed record JobCancelBody(int? TimeoutSeconds);

/// <summary>One job run as the API shows it (times as ISO 8601; progress 0–100 or null).</summary>
public sealed record JobView(
    string Name, int Pid, string Status, IReadOnlyList<string> Command, double? Progress, string? CurrentTask,
    DateTimeOffset StartTime, DateTimeOffset LastUpdate, double ElapsedSeconds, int? ExitCode, string? Type, int? ServerId,
    string? StartedBy, string? Ended, DateTimeOffset? EndTime, string? CancelledBy, int? TimeoutSeconds)
{
    public static JobView From(JobStatusRecord r, DateTimeOffset now)
    {
        var start = JobStatusRecord.FromUnix(r.StartTime);
        DateTimeOffset? end = r.EndTime is { } e ? JobStatusRecord.FromUnix(e) : null;
        return new JobView(r.Name, r.Pid, r.Status, r.Command, r.Progress, r.CurrentTask, start, JobStatusRecord.FromUnix(r.LastUpdate),
            Math.Max(0, ((end ?? now) - start).TotalSeconds), r.ExitCode, r.Type, r.ServerId, r.StartedBy, r.Ended, end, r.CancelledBy, r.TimeoutSeconds);
    }
}

/// <summary>A status file that could not be read: reported, never hidden.</summary>
public sealed record JobProblem(string Name, string Problem);

public sealed record JobList(IReadOnlyList<JobView> Running, IReadOnlyList<JobView> Recent, IReadOnlyList<JobProblem> Problems);

public sealed record JobDetails(JobView Job, IReadOnlyList<string> Log);

/// <summary>
/// Background jobs (docs/jobs.md): start (Operators a defined type, Admins also an ad-hoc argv), list, status with log
/// tail, cancel; job types (Viewers read, Admins change). 400 bad input, 403 ad-hoc by a non-Admin, 404 unknown, 409 a
/// name that runs (naming it) or a job that is not running.
/// </summary>
public static class JobsApi
{
    public const int MaxLogLines = 5000;

    public static void MapJobsApi(this RouteGroupBuilder api)
    {
        var jobs = api.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("", (JobRunner runner, TimeProvider time, int? recent) =>
        {
            var now = time.GetUtcNow();
            var current = runner.ListCurrent();
            return TypedResults.Ok(new JobList(
                current.Where(r => r.Record is not null).Select(r => JobView.From(r.Record!, now)).ToList(),
                runner.ListHistory(Math.Clamp(recent ?? 50, 0, 1000)).Select(r => JobView.From(r, now)).ToList(),
                current.Where(r => r.Record is null).Select(r => new JobProblem(r.Name, r.Problem ?? "unreadable")).ToList()));
        }).RequireAuthorization(Policies.View).WithName("ListJobs");

        jobs.MapGet("/{name}", Results<Ok<JobDetails>, ProblemHttpResult> (string name, int? logLines, JobRunner runner, TimeProvider time) =>
        {
            if (logLines is < 0 or > MaxLogLines)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid logLines", $"logLines must be between 0 and {MaxLogLines}");
            }

            var read = JobFiles.IsValidName(name) ? runner.Files.ReadStatus(name) : null;
            if (read is { Record: null } && File.Exists(runner.Files.StatusPath(name)))
            {
                return Problem(StatusCodes.Status409Conflict, "Unreadable status file", read.Problem);
            }

            var record = runner.Find(name);
            return record is null
                ? Problem(StatusCodes.Status404NotFound, "Job not found", $"no job named '{name}'")
                : TypedResults.Ok(new JobDetails(JobView.From(record, time.GetUtcNow()), runner.LogTail(name, logLines ?? 50)));
        }).RequireAuthorization(Policies.View).WithName("GetJob");

        jobs.MapPost("", async Task<Results<Created<JobView>, ProblemHttpResult>> (JobStartBody body, JobService service, TimeProvider time, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (body.Name is null || (body.Type is null) == (body.Command is null))
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid job", "send { \"name\": ..., \"type\": ... } or, for Admins, { \"name\": ..., \"command\": [argv...] }");
            }

            if (body.Command is not null && !user.IsInRole(Roles.Admin))
            {
                return Problem(StatusCodes.Status403Forbidden, "Forbidden", "only Admins may start an ad-hoc command; Operators start defined job types");
            }

            try
            {
                var actor = AuditActor.From(user, http);
                var record = body.Type is not null
                    ? await service.StartTypeAsync(body.Name, body.Type, actor, cancellationToken)
                    : await service.StartAdhocAsync(body.Name, body.Command!, body.WorkingDirectory, actor, cancellationToken);
                return TypedResults.Created($"/api/v1/jobs/{record.Name}", JobView.From(record, time.GetUtcNow()));
            }
            catch (JobInputException ex)
            {
                return Problem(StatusCodes.Status400BadRequest, "Cannot start the job", ex.Message);
            }
            catch (JobConflictException ex)
            {
                return Problem(StatusCodes.Status409Conflict, "Job already running", ex.Message);
            }
        }).RequireAuthorization(Policies.Operate).WithName("StartJob");

        jobs.MapPost("/{name}/cancel", async Task<Results<Ok<JobView>, ProblemHttpResult>> (string name, JobCancelBody? body, JobService service, TimeProvider time, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (body?.TimeoutSeconds is < 0 or > 86400)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid timeout", "timeoutSeconds must be between 0 and 86400");
            }

            try
            {
                var final = await service.CancelAsync(name, body?.TimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null, AuditActor.From(user, http), cancellationToken);
                return TypedResults.Ok(JobView.From(final, time.GetUtcNow()));
            }
            catch (JobNotFoundException ex)
            {
                return Problem(StatusCodes.Status404NotFound, "Job not found", ex.Message);
            }
            catch (JobConflictException ex)
            {
                return Problem(StatusCodes.Status409Conflict, "Job not running", ex.Message);
            }
            catch (IOException ex)
            {
                // Signalled, yet still not gone after SIGKILL (e.g. a process stuck in the kernel): say so, lose nothing.
                return Problem(StatusCodes.Status409Conflict, "Job did not end", ex.Message);
            }
        }).RequireAuthorization(Policies.Operate).WithName("CancelJob");

        var types = api.MapGroup("/job-types").WithTags("Jobs");
        types.MapGet("", async (JobService service, CancellationToken cancellationToken) => TypedResults.Ok(await service.ListTypesAsync(cancellationToken)))
            .RequireAuthorization(Policies.View).WithName("ListJobTypes");
        types.MapGet("/{name}", async Task<Results<Ok<JobTypeModel>, ProblemHttpResult>> (string name, JobService service, CancellationToken cancellationToken) =>
            await service.GetTypeAsync(name, cancellationToken) is { } type ? TypedResults.Ok(type) : Problem(StatusCodes.Status404NotFound, "Job type not found", $"no job type named '{name}'"))
            .RequireAuthorization(Policies.View).WithName("GetJobType");
        types.MapPost("", async Task<Results<Created<JobTypeModel>, ValidationProblem>> (JobTypeModel model, JobService service, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var change = await service.SaveTypeAsync(null, model, AuditActor.From(user, http), cancellationToken);
            return change.Type is { } saved ? TypedResults.Created($"/api/v1/job-types/{saved.Name}", saved) : TypedResults.ValidationProblem(change.Errors);
        }).RequireAuthorization(Policies.Admin).WithName("CreateJobType");
        types.MapPut("/{name}", async Task<Results<Ok<JobTypeModel>, ValidationProblem, ProblemHttpResult>> (string name, JobTypeModel model, JobService service, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
        {
            var change = await service.SaveTypeAsync(name, model, AuditActor.From(user, http), cancellationToken);
            if (change.NotFound)
            {
                return Problem(StatusCodes.Status404NotFound, "Job type not found", $"no job type named '{name}'");
            }

            return change.Type is { } saved ? TypedResults.Ok(saved) : TypedResults.ValidationProblem(change.Errors);
        }).RequireAuthorization(Policies.Admin).WithName("UpdateJobType");
        types.MapDelete("/{name}", async Task<Results<NoContent, ProblemHttpResult>> (string name, JobService service, ClaimsPrincipal user, HttpContext http, CancellationToken cancellationToken) =>
            await service.DeleteTypeAsync(name, AuditActor.From(user, http), cancellationToken) ? TypedResults.NoContent() : Problem(StatusCodes.Status404NotFound, "Job type not found", $"no job type named '{name}'"))
            .RequireAuthorization(Policies.Admin).WithName("DeleteJobType");
    }

    private static ProblemHttpResult Problem(int status, string title, string? detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
