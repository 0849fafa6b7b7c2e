using ServerDashboard.Audit;
using ServerDashboard.Servers;

namespace ServerDashboard.Jobs;

/// <summary>
/// Keeps a server from starting while its directory is being restored, or while a backup that stopped it runs (the backup
/// starts it again itself). Read from the job files, so it holds across dashboard restarts.
/// </summary>
public sealed class BackupStartVeto(JobFiles files) : IServerStartVeto
{
    public string? WhyNot(int serverId)
    {
        if (Running(BackupJobs.RestoreJobName(serverId)) is { } restore)
        {
            return $"a restore into its directory is running (job {restore.Name}); start it when the restore has ended";
        }

        return Running(BackupJobs.JobName(serverId)) is { RestartServerAfter: true } backup
            ? $"it is stopped for a backup (job {backup.Name}) and starts again when the backup ends"
            : null;
    }

    private JobStatusRecord? Running(string name) => files.ReadStatus(name).Record is { Status: JobStates.Running } r ? r : null;
}

/// <summary>
/// Starts a server again when the backup that stopped it has ended, however it ended (succeeded, failed, cancelled, lost):
/// the promise is in the job's status file (<c>restart_server_after</c>), so the dashboard that records the end keeps it,
/// also one started after the job ended. Subscribed before the job monitor's first pass (registered before it).
/// </summary>
public sealed class BackupServerRestarter(JobRunner runner, SupervisorWork work, IServiceProvider services, ILogger<BackupServerRestarter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        runner.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        runner.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(JobEvent e)
    {
        if (!e.Finished || e.Record is not { RestartServerAfter: true, ServerId: { } serverId } record)
        {
            return;
        }

        // Owned by the supervisor's work set (awaited at shutdown): the event comes on the job poller, which must not wait.
        _ = work.Run($"start server {serverId} after backup {record.Name}", async ct =>
        {
            var supervisor = services.GetRequiredService<ServerSupervisor>();
            var result = await supervisor.StartAsync(serverId, AuditActor.System, ct);
            if (result.Outcome == PowerOutcome.Accepted)
            {
                logger.LogInformation("Server {ServerId} started again after backup job {Job} ({Status})", serverId, record.Name, record.Status);
            }
            else
            {
                logger.LogWarning("Server {ServerId} was not started again after backup job {Job}: {Reason}", serverId, record.Name, result.Reason ?? result.Outcome.ToString());
            }
        });
    }
}
