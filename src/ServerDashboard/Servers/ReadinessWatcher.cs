using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ServerDashboard.Data;
using ServerDashboard.Processes;
using ServerDashboard.Servers.Monitoring;
using ServerDashboard.Text;

namespace ServerDashboard.Servers;

/// <summary>
/// Readiness of a Starting server: watches with <see cref="ReadinessProbe"/> and moves it to Running, or calls the
/// supervisor's timeout handler when the startup timeout (the definition's <c>startupTimeoutSeconds</c>, else
/// <see cref="MonitoringOptions.StartupTimeoutSeconds"/>) passes first. One watch per server, owned by
/// <see cref="SupervisorWork"/>.
/// </summary>
public sealed class ReadinessWatcher(
    ReadinessProbe probe,
    ServerStatusBoard board,
    RestartTracker tracker,
    SupervisorWork work,
    IOptionsMonitor<MonitoringOptions> monitoring,
    TimeProvider time,
    ILogger<ReadinessWatcher> logger)
{
    private readonly ConcurrentDictionary<int, CancellationTokenSource> watches = new();

    public TimeSpan StartupTimeout(ServerDefinition server) =>
        TimeSpan.FromSeconds(Math.Max(1, server.StartupTimeoutSeconds ?? monitoring.CurrentValue.StartupTimeoutSeconds));

    /// <param name="onTimeout">Called (outside any lock) when the server was not ready in time.</param>
    public void Watch(ServerDefinition server, TrackedProcess entry, string logPath, long logOffset, Func<TimeSpan, CancellationToken, Task> onTimeout)
    {
        var watch = CancellationTokenSource.CreateLinkedTokenSource(work.Stopping);
        if (watches.TryGetValue(server.Id, out var previous))
        {
            Cancel(server.Id, previous);
        }

        watches[server.Id] = watch;
        var timeout = StartupTimeout(server);
        var timer = new CancellationTokenSource(timeout, time);
        var token = CancellationTokenSource.CreateLinkedTokenSource(watch.Token, timer.Token);
        work.Run($"readiness of server {server.Id}", async _ =>
        {
            try
            {
                var how = await probe.WaitAsync(server, logPath, logOffset, token.Token);
                var status = board.Update(server.Id, s => s.State == ServerState.Starting && s.Pid == entry.Pid
                    ? s with { State = ServerState.Running, Message = null }
                    : s, reason: how);
                if (status.State == ServerState.Running && status.Pid == entry.Pid)
                {
                    tracker.MarkRunning(server.Id);
                    logger.LogInformation("Server {ServerId} '{ServerName}' is ready ({How})", server.Id, LogText.Escape(server.Name), how);
                }
            }
            catch (OperationCanceledException) when (timer.IsCancellationRequested && !watch.IsCancellationRequested && !entry.HasExited)
            {
                await onTimeout(timeout, work.Stopping);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                // Whoever takes the entry out disposes it (Cancel may have got there first).
                if (watches.TryRemove(new KeyValuePair<int, CancellationTokenSource>(server.Id, watch)))
                {
                    watch.Dispose();
                }

                token.Dispose();
                timer.Dispose();
            }
        });
    }

    /// <summary>Stops watching the server (it exited, or is being stopped).</summary>
    public void Cancel(int serverId)
    {
        if (watches.TryGetValue(serverId, out var watch))
        {
            Cancel(serverId, watch);
        }
    }

    private void Cancel(int serverId, CancellationTokenSource watch)
    {
        if (watches.TryRemove(new KeyValuePair<int, CancellationTokenSource>(serverId, watch)))
        {
            watch.Cancel();
            watch.Dispose();
        }
    }
}
