using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using ServerDashboard.Audit;
using ServerDashboard.Hosting;
using ServerDashboard.Servers;

namespace ServerDashboard.Jobs;

/// <summary>One archive of a server's directory.</summary>
public sealed record BackupInfo(string FileName, long SizeBytes, DateTimeOffset CreatedAt);

/// <summary>The outcome of a restore or delete: done, or why not (not found, server running, bad name).</summary>
public enum BackupOutcome
{
    Done,
    NotFound,
    ServerRunning,
    Invalid,
}

/// <summary>How one backup runs; null fields take the server definition's defaults.</summary>
/// <param name="StopServer">Stop the running server first and start it again after (default: the definition's <c>backup.stopServer</c>).</param>
public sealed record BackupRequest(bool? StopServer = null);

/// <summary>
/// Backups of servers (docs/jobs.md, "Backups"): taken and restored by detached jobs running our own executable
/// (<c>ServerDashboard backup create|restore --server ID</c>), listed and deleted here. A backup may stop the server first:
/// the job then waits for the server's process to be gone, and whoever records the job's end starts the server again
/// (<see cref="BackupServerRestarter"/>). A restore needs the server stopped and keeps it from starting while it runs.
/// </summary>
public sealed partial class BackupService(
    JobService jobs,
    JobRunner runner,
    ServerCatalog catalog,
    ServerSupervisor supervisor,
    Processes.ProcFs procFs,
    DataDirectory dataDirectory,
    IOptions<JobOptions> options,
    AuditLog audit,
    ILogger<BackupService> logger)
{
    public const string BackupAction = AuditActions.Backup;
    public const string RestoreAction = AuditActions.Restore;
    public const string DeleteAction = AuditActions.DeleteBackup;

    /// <summary>How the dashboard hands the RCON password to <c>backup create</c>.</summary>
    public const string BackupRconPasswordVariable = "SERVERDASHBOARD_RCON_PASSWORD";

    /// <summary>How long a stop-first backup waits for the server to go, beyond the server's own stop timeout.</summary>
    public const int StopWaitMarginSeconds = 60;

    public string BackupRoot => BackupRootOf(options.Value, dataDirectory.Path);

    public static string BackupRootOf(JobOptions options, string dataDir) =>
        options.BackupDirectory is { Length: > 0 } dir ? Path.GetFullPath(dir) : Path.Combine(dataDir, "backups");

    public string DirectoryOf(int serverId) => Path.Combine(BackupRoot, serverId.ToString(CultureInfo.InvariantCulture));

    public static bool IsValidFileName(string? name) => name is not null && FileNamePattern().IsMatch(name);

    public IReadOnlyList<BackupInfo> List(int serverId)
    {
        var dir = new DirectoryInfo(DirectoryOf(serverId));
        if (!dir.Exists)
        {
            return [];
        }

        return dir.EnumerateFiles("*.tar.gz")
            .Where(f => f.LinkTarget is null && IsValidFileName(f.Name))
            .OrderByDescending(f => f.Name, StringComparer.Ordinal)
            .Select(f => new BackupInfo(f.Name, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .ToList();
    }

    /// <summary>The archive's full path when it exists and is a plain file of ours; else null.</summary>
    public string? PathOf(int serverId, string fileName)
    {
        if (!IsValidFileName(fileName))
        {
            return null;
        }

        var path = Path.Combine(DirectoryOf(serverId), fileName);
        var info = new FileInfo(path);
        return info.Exists && info.LinkTarget is null ? path : null;
    }

    /// <summary>The running backup or restore job of a server, if any.</summary>
    public JobStatusRecord? RunningJobOf(int serverId) =>
        RunningJob(BackupJobs.JobName(serverId)) ?? RunningJob(BackupJobs.RestoreJobName(serverId));

    private JobStatusRecord? RunningJob(string name) => runner.Files.ReadStatus(name).Record is { Status: JobStates.Running } r ? r : null;

    /// <summary>A backup with the definition's defaults.</summary>
    public Task<JobStatusRecord> StartAsync(int serverId, AuditActor actor, CancellationToken cancellationToken) =>
        StartAsync(serverId, new BackupRequest(), actor, cancellationToken);

    /// <summary>
    /// Starts the backup job of a server (one backup or restore at a time per server). With <see cref="BackupRequest.StopServer"/>
    /// (or the definition's default) a running server is stopped after the job started; the job waits for it to be gone.
    /// Throws like <see cref="JobService.StartAsync"/>.
    /// </summary>
    public async Task<JobStatusRecord> StartAsync(int serverId, BackupRequest request, AuditActor actor, CancellationToken cancellationToken)
    {
        var server = await catalog.GetAsync(serverId, cancellationToken) ?? throw new JobNotFoundException($"server {serverId}");
        if (RunningJob(BackupJobs.RestoreJobName(serverId)) is { } restoring)
        {
            throw new JobConflictException($"a restore of server {server.Name} is running (job {restoring.Name})");
        }

        var argv = new List<string>
        {
            BackupExecutable(), "backup", "create", "--server", serverId.ToString(CultureInfo.InvariantCulture),
            "--data-dir", dataDirectory.Path, "--backup-dir", BackupRoot,
            "--keep", options.Value.BackupRetention.ToString(CultureInfo.InvariantCulture),
            // What the job needs from the definition is handed over, so it never decrypts secrets from the store itself.
            "--source", SourceDirectoryOf(server, dataDirectory.Path),
        };
        foreach (var path in server.BackupPaths)
        {
            argv.AddRange(["--path", path]);
        }

        var environment = JobEnvironment();
        bool stop = request.StopServer ?? server.BackupStopServer;
        var status = supervisor.GetStatus(serverId);
        Processes.ProcessIdentity? serverProcess = null;
        if (stop && status.State.IsActive())
        {
            serverProcess = status.Pid is { } pid ? procFs.TryGetIdentity(pid) : null;
            if (serverProcess is null)
            {
                throw new JobConflictException($"server {server.Name} is {status.State} without a process to wait for; try again when it is Running or Stopped");
            }

            argv.AddRange(["--wait-stopped", $"{serverProcess.Pid}:{serverProcess.StartTime.ToString(CultureInfo.InvariantCulture)}",
                "--wait-timeout", (server.StopTimeoutSeconds + StopWaitMarginSeconds).ToString(CultureInfo.InvariantCulture)]);
        }
        else if (server is { RconEnabled: true, RconPort: { } rconPort, RconPassword: { Length: > 0 } rconPassword })
        {
            // Save commands only for a backup of a live server: one stopped first is archived at rest.
            argv.AddRange(["--rcon-port", rconPort.ToString(CultureInfo.InvariantCulture)]);
            // In the environment, not argv: /proc/<pid>/environ is readable by the job's user only, cmdline by everyone.
            environment[BackupRconPasswordVariable] = rconPassword;
        }

        var jobRequest = new JobStartRequest(BackupJobs.JobName(serverId), argv, actor.Name, WorkingDirectory: dataDirectory.Path,
            Environment: environment, Type: BackupJobs.TypeName, ServerId: serverId, RestartServerAfter: serverProcess is not null);
        var record = await jobs.StartAsync(jobRequest, actor, $"backup of server {server.Name}", cancellationToken);
        var detail = serverProcess is null ? "started" : "started; stopping the server first";
        if (serverProcess is not null)
        {
            var stopped = await supervisor.StopAsync(serverId, wait: false, actor, cancellationToken);
            if (stopped.Outcome != PowerOutcome.Accepted)
            {
                // The job waits for a stop that will not come: end it now rather than after its wait timeout.
                logger.LogWarning("Backup of server {ServerId}: the stop was refused ({Reason}); cancelling job {Job}", serverId, stopped.Reason, record.Name);
                await runner.CancelAsync(record.Name, TimeSpan.FromSeconds(5), "backup: the server could not be stopped", CancellationToken.None);
                await audit.RecordAsync(actor, BackupAction, serverId, server.Name, $"job {record.Name}", false, $"the server could not be stopped: {stopped.Reason}");
                throw new JobConflictException($"the server could not be stopped for the backup: {stopped.Reason}");
            }
        }

        await audit.RecordAsync(actor, BackupAction, serverId, server.Name, $"job {record.Name}", true, detail);
        return record;
    }

    public async Task<BackupOutcome> DeleteAsync(int serverId, string fileName, AuditActor actor)
    {
        if (PathOf(serverId, fileName) is not { } path)
        {
            return IsValidFileName(fileName) ? BackupOutcome.NotFound : BackupOutcome.Invalid;
        }

        File.Delete(path);
        await audit.RecordAsync(actor, DeleteAction, serverId, null, fileName, true, "deleted");
        return BackupOutcome.Done;
    }

    /// <summary>
    /// Starts the restore job of an archive (<c>restore-&lt;id&gt;</c>): refused while the server runs or a backup or
    /// restore of it runs; while the job runs the server cannot start. The job moves what it replaces aside
    /// (<c>&lt;dir&gt;.before-restore-&lt;time&gt;</c>), so nothing is lost.
    /// </summary>
    public async Task<(BackupOutcome Outcome, string Message, JobStatusRecord? Job)> RestoreAsync(int serverId, string fileName, AuditActor actor, CancellationToken cancellationToken)
    {
        var server = await catalog.GetAsync(serverId, cancellationToken);
        if (server is null || PathOf(serverId, fileName) is not { } archive)
        {
            return (server is null || IsValidFileName(fileName) ? BackupOutcome.NotFound : BackupOutcome.Invalid, "no such backup", null);
        }

        string? refusal = supervisor.GetStatus(serverId).State.IsActive()
            ? "the server must be stopped before a restore"
            : RunningJobOf(serverId) is { } busy ? $"job {busy.Name} of this server is running" : null;
        if (refusal is not null)
        {
            await audit.RecordAsync(actor, RestoreAction, serverId, server.Name, fileName, false, refusal);
            return (BackupOutcome.ServerRunning, refusal, null);
        }

        var argv = new List<string>
        {
            BackupExecutable(), "backup", "restore", "--server", serverId.ToString(CultureInfo.InvariantCulture),
            "--data-dir", dataDirectory.Path, "--archive", archive, "--target", SourceDirectoryOf(server, dataDirectory.Path),
        };
        var request = new JobStartRequest(BackupJobs.RestoreJobName(serverId), argv, actor.Name, WorkingDirectory: dataDirectory.Path,
            Environment: JobEnvironment(), Type: BackupJobs.RestoreTypeName, ServerId: serverId);
        try
        {
            var record = await jobs.StartAsync(request, actor, $"restore of {fileName} into server {server.Name}", cancellationToken);
            await audit.RecordAsync(actor, RestoreAction, serverId, server.Name, fileName, true, $"job {record.Name} started");
            return (BackupOutcome.Done, $"restore started (job {record.Name})", record);
        }
        catch (JobConflictException ex)
        {
            await audit.RecordAsync(actor, RestoreAction, serverId, server.Name, fileName, false, ex.Message);
            return (BackupOutcome.ServerRunning, ex.Message, null);
        }
    }

    private static Dictionary<string, string> JobEnvironment() => new()
    {
        ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        ["LANG"] = "C.UTF-8",
        ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/",
        ["DOTNET_NOLOGO"] = "1",
    };

    /// <summary>What a backup archives: the working directory of the definition, else the server's own directory.</summary>
    public static string SourceDirectoryOf(Data.ServerDefinition server, string dataDir) =>
        Path.GetFullPath(server.WorkingDirectory is { Length: > 0 } wd ? wd : ServerPaths.ServerDirectory(dataDir, server.Id));

    /// <summary>Deletes the oldest archives beyond <paramref name="keep"/>. Returns the deleted names.</summary>
    public static IReadOnlyList<string> ApplyRetention(string directory, int keep)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var old = new DirectoryInfo(directory).EnumerateFiles("*.tar.gz")
            .Where(f => IsValidFileName(f.Name))
            .OrderByDescending(f => f.Name, StringComparer.Ordinal)
            .Skip(Math.Max(1, keep))
            .ToList();
        old.ForEach(f => f.Delete());
        return old.Select(f => f.Name).ToList();
    }

    /// <summary>Our own executable (the apphost beside the binaries; under a test host the process is dotnet).</summary>
    private static string BackupExecutable()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "ServerDashboard");
        return File.Exists(beside) ? beside : Environment.ProcessPath ?? beside;
    }

    [GeneratedRegex(@"^\d{8}T\d{6}(\.\d{3})?Z\.tar\.gz$")]
    private static partial Regex FileNamePattern();
}
