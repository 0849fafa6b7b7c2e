using Microsoft.EntityFrameworkCore;
using ServerDashboard.Audit;
using ServerDashboard.Data;
using ServerDashboard.Hosting;
using ServerDashboard.Servers;

namespace ServerDashboard.Jobs;

/// <summary>The outcome of a job type change: the type, field errors, or not found.</summary>
public sealed record JobTypeChange(JobTypeModel? Type, Dictionary<string, string[]> Errors, bool NotFound = false);

/// <summary>
/// Job types (stored in the database) and the rules around starting and cancelling jobs: types are expanded (server
/// placeholders), their concurrency and time limits applied; every start and cancel is audited.
/// </summary>
public sealed class JobService(
    IDbContextFactory<DashboardDbContext> dbFactory,
    JobRunner runner,
    DataDirectory dataDirectory,
    AuditLog audit,
    TimeProvider time)
{
    public const string StartAction = AuditActions.JobStart;
    public const string CancelAction = AuditActions.JobCancel;
    public const string TypeAction = AuditActions.JobType;

    public JobRunner Runner => runner;

    public async Task<IReadOnlyList<JobTypeModel>> ListTypesAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return (await db.JobTypes.AsNoTracking().ToListAsync(cancellationToken)).OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Select(JobTypeModel.From).ToList();
    }

    public async Task<JobTypeModel?> GetTypeAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var type = await db.JobTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Name == name, cancellationToken);
        return type is null ? null : JobTypeModel.From(type);
    }

    public async Task<JobTypeChange> SaveTypeAsync(string? existingName, JobTypeModel model, AuditActor actor, CancellationToken cancellationToken)
    {
        var errors = model.Validate();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        JobType? type = null;
        if (existingName is not null)
        {
            type = await db.JobTypes.FirstOrDefaultAsync(t => t.Name == existingName, cancellationToken);
            if (type is null)
            {
                return new JobTypeChange(null, errors, NotFound: true);
            }
        }

        if (model.ServerId is { } serverId && !await db.Servers.AnyAsync(s => s.Id == serverId, cancellationToken))
        {
            errors["serverId"] = [$"no server with id {serverId}"];
        }

        if (errors.Count == 0 && await db.JobTypes.AnyAsync(t => t.Name == model.Name && (type == null || t.Id != type.Id), cancellationToken))
        {
            errors["name"] = [$"a job type named '{model.Name}' exists"];
        }

        if (errors.Count > 0)
        {
            return new JobTypeChange(null, errors);
        }

        var now = time.GetUtcNow();
        if (type is null)
        {
            type = new JobType { Name = model.Name, CreatedAt = now };
            db.JobTypes.Add(type);
        }

        type.Name = model.Name;
        type.Argv = [.. model.Command];
        type.WorkingDirectory = string.IsNullOrWhiteSpace(model.WorkingDirectory) ? null : model.WorkingDirectory;
        type.Environment = new Dictionary<string, string>(model.Environment ?? new());
        type.TimeoutSeconds = model.TimeoutSeconds;
        type.MaxConcurrent = model.MaxConcurrent;
        type.ServerId = model.ServerId;
        type.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, TypeAction, model.ServerId, null, $"{(existingName is null ? "create" : "update")} job type {type.Name}", true, "saved");
        return new JobTypeChange(JobTypeModel.From(type), errors);
    }

    public async Task<bool> DeleteTypeAsync(string name, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        int deleted = await db.JobTypes.Where(t => t.Name == name).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            await audit.RecordAsync(actor, TypeAction, $"delete job type {name}", true, "deleted");
        }

        return deleted > 0;
    }

    /// <summary>Starts a run of a defined type (Operators and Admins). Errors: unknown type (input), name running (conflict).</summary>
    public async Task<JobStatusRecord> StartTypeAsync(string jobName, string typeName, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var type = await db.JobTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Name == typeName, cancellationToken)
            ?? throw new JobInputException($"no job type named '{typeName}'");
        var server = type.ServerId is { } id ? await db.Servers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken) : null;
        var values = server is null ? null : ValuesFor(server);
        string Expand(string text) => values is null ? text : Placeholders.Expand(text, values);

        var environment = BaseEnvironment();
        foreach (var (key, value) in type.Environment)
        {
            environment[key] = Expand(value);
        }

        var request = new JobStartRequest(
            jobName,
            type.Argv.Select(Expand).ToList(),
            actor.Name,
            WorkingDirectory: type.WorkingDirectory is { } wd ? Expand(wd) : values?.ServerDirectory,
            Environment: environment,
            Type: type.Name,
            ServerId: type.ServerId,
            TimeoutSeconds: type.TimeoutSeconds,
            MaxConcurrentOfType: type.MaxConcurrent,
            DisplayCommand: type.Argv);
        return await StartAuditedAsync(request, actor, $"type {type.Name}", cancellationToken);
    }

    /// <summary>Starts an ad-hoc argv (Admins only: the caller checks the role).</summary>
    public Task<JobStatusRecord> StartAdhocAsync(string jobName, IReadOnlyList<string> argv, string? workingDirectory, AuditActor actor, CancellationToken cancellationToken) =>
        StartAuditedAsync(new JobStartRequest(jobName, argv, actor.Name, WorkingDirectory: workingDirectory, Environment: BaseEnvironment()), actor,
            $"ad-hoc {(argv.Count > 0 ? Path.GetFileName(argv[0]) : "")} ({Math.Max(0, argv.Count - 1)} arguments)", cancellationToken);

    /// <summary>Starts a prepared request (built-in jobs such as backups), audited.</summary>
    public Task<JobStatusRecord> StartAsync(JobStartRequest request, AuditActor actor, string what, CancellationToken cancellationToken) =>
        StartAuditedAsync(request, actor, what, cancellationToken);

    public async Task<JobStatusRecord> CancelAsync(string jobName, TimeSpan? timeout, AuditActor actor, CancellationToken cancellationToken)
    {
        var serverId = runner.Files.ReadStatus(jobName).Record?.ServerId;
        try
        {
            var final = await runner.CancelAsync(jobName, timeout, actor.Name, cancellationToken);
            await audit.RecordAsync(actor, CancelAction, final.ServerId, null, $"job {jobName}", true, final.Ended ?? final.Status);
            return final;
        }
        catch (Exception ex) when (ex is JobNotFoundException or JobConflictException or IOException)
        {
            await audit.RecordAsync(actor, CancelAction, serverId, null, $"job {jobName}", false, ex.Message);
            throw;
        }
    }

    private async Task<JobStatusRecord> StartAuditedAsync(JobStartRequest request, AuditActor actor, string what, CancellationToken cancellationToken)
    {
        try
        {
            var record = await runner.StartAsync(request, cancellationToken);
            await audit.RecordAsync(actor, StartAction, request.ServerId, null, $"job {request.Name}: {what}", true, $"running, pid {record.Pid}");
            return record;
        }
        catch (Exception ex) when (ex is JobInputException or JobConflictException)
        {
            await audit.RecordAsync(actor, StartAction, request.ServerId, null, $"job {request.Name}: {what}", false, ex.Message);
            throw;
        }
    }

    private PlaceholderValues ValuesFor(ServerDefinition server) => new(
        server.Port, server.RconPort, server.RconPassword,
        server.WorkingDirectory is { Length: > 0 } wd ? wd : ServerPaths.ServerDirectory(dataDirectory.Path, server.Id),
        dataDirectory.Path, server.MaxMemoryMb);

    private static Dictionary<string, string> BaseEnvironment()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : "/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = "C.UTF-8",
            ["HOME"] = System.Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : "/",
        };
        return env;
    }
}
