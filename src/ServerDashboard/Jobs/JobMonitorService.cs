using Microsoft.Extensions.Options;

namespace ServerDashboard.Jobs;

/// <summary>
/// Polls the PID directory: the first pass re-adopts jobs that ran across a dashboard restart (identity-checked), later
/// passes record exits, parse progress lines and act on cancel requests the CLI left.
/// </summary>
public sealed class JobMonitorService(JobRunner runner, IOptions<JobOptions> options, TimeProvider time, ILogger<JobMonitorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        runner.Files.EnsureDirectory();
        var interval = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.PollIntervalSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runner.PollAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Polling the job directory {Directory} failed", runner.Files.Directory);
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
