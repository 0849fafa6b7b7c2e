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

/// <summary>
/// Backups of servers (docs/jobs.md, "Backups"): started as a detached job running our own executable
/// (<c>ServerDashboard backup create --server ID</c>), listed, deleted, restored. Restores need the server stopped and
/// move the current directory aside first (nothing is overwritten).
/// </summary>
public sealed partial class BackupService(
    JobService jobs,
    ServerCatalog catalog,
    ServerSupervisor supervisor,
    DataDirectory dataDirectory,
    IOptions<JobOptions> options,
    AuditLog audit,
    TimeProvider time,
    ILogger<BackupService> logger)
{
    public const string BackupAction = "Backup";
    public const string RestoreAction = "Restore";
    public const string DeleteAction = "DeleteBackup";

    /// <summary>How the dashboard hands the RCON password to <c>backup create</c>.</summary>
    public const string BackupRconPasswordVariable = "SERVERDASHBOARD_RCON_PASSWORD";

    public string BackupRoot => BackupRootOf(options.Value, dataDirectory.Path);

    public static string BackupRootOf(JobOptions options, string dataDir) =>
        options.BackupDirectory is { Length: > 0 } dir ? Path.GetFullPath(dir) : Path.Combine(dataDir, "backups");

    public string DirectoryOf(int serverId) => Path.Combine(BackupRoot, serverId.ToString(System.Globalization.CultureInfo.InvariantCulture));

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

    /// <summary>Starts the backup job of a server (one at a time per server). Throws like <see cref="JobService.StartAsync"/>.</summary>
    public async Task<JobStatusRecord> StartAsync(int serverId, AuditActor actor, CancellationToken cancellationToken)
    {
        var server = await catalog.GetAsync(serverId, cancellationToken) ?? throw new JobNotFoundException($"server {serverId}");
        var argv = new List<string>
        {
            BackupExecutable(), "backup", "create", "--server", serverId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--data-dir", dataDirectory.Path, "--backup-dir", BackupRoot,
            "--keep", options.Value.BackupRetention.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // What the job needs from the definition is handed over, so it never decrypts secrets from the store itself.
            "--source", SourceDirectoryOf(server, dataDirectory.Path),
        };
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
            ["LANG"] = "C.UTF-8",
            ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/",
            ["DOTNET_NOLOGO"] = "1",
        };
        if (server is { RconEnabled: true, RconPort: { } rconPort, RconPassword: { Length: > 0 } rconPassword })
        {
            argv.AddRange(["--rcon-port", rconPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            // In the environment, not argv: /proc/<pid>/environ is readable by the job's user only, cmdline by everyone.
            environment[BackupRconPasswordVariable] = rconPassword;
        }

        var request = new JobStartRequest(BackupJobs.JobName(serverId), argv, actor.Name, WorkingDirectory: dataDirectory.Path,
            Environment: environment, Type: BackupJobs.TypeName, ServerId: serverId);
        var record = await jobs.StartAsync(request, actor, $"backup of server {server.Name}", cancellationToken);
        await audit.RecordAsync(actor, BackupAction, serverId, server.Name, $"job {record.Name}", true, "started");
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
    /// Restores an archive into the server's directory: refused while the server runs; the current directory is renamed to
    /// <c>&lt;dir&gt;.before-restore-&lt;timestamp&gt;</c> first, so nothing is lost.
    /// </summary>
    public async Task<(BackupOutcome Outcome, string Message)> RestoreAsync(int serverId, string fileName, AuditActor actor, CancellationToken cancellationToken)
    {
        var server = await catalog.GetAsync(serverId, cancellationToken);
        if (server is null || PathOf(serverId, fileName) is not { } archive)
        {
            return (server is null || IsValidFileName(fileName) ? BackupOutcome.NotFound : BackupOutcome.Invalid, "no such backup");
        }

        if (supervisor.GetStatus(serverId).State.IsActive())
        {
            const string running = "the server must be stopped before a restore";
            await audit.RecordAsync(actor, RestoreAction, serverId, server.Name, fileName, false, running);
            return (BackupOutcome.ServerRunning, running);
        }

        string target = SourceDirectoryOf(server, dataDirectory.Path);
        string aside = $"{target.TrimEnd('/')}.before-restore-{time.GetUtcNow().UtcDateTime:yyyyMMddTHHmmssZ}";
        if (Directory.Exists(target))
        {
            Directory.Move(target, aside);
        }

        try
        {
            await BackupArchive.ExtractAsync(archive, target, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // Put the previous directory back: a failed restore must leave the server as it was.
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            if (Directory.Exists(aside))
            {
                Directory.Move(aside, target);
            }

            logger.LogWarning(ex, "Restore of {Archive} for server {ServerId} failed", fileName, serverId);
            await audit.RecordAsync(actor, RestoreAction, serverId, server.Name, fileName, false, ex.Message);
            return (BackupOutcome.Invalid, "the archive could not be restored: " + ex.Message);
        }

        var message = Directory.Exists(aside) ? $"restored; the previous directory is kept as {aside}" : "restored";
        await audit.RecordAsync(actor, RestoreAction, serverId, server.Name, fileName, true, message);
        return (BackupOutcome.Done, message);
    }

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
