using System.Collections.Concurrent;

namespace ServerDashboard.Servers;

/// <summary>
/// The pending automatic restarts (servers in Backoff): one delay per server over <see cref="TimeProvider"/>, owned by
/// <see cref="SupervisorWork"/>. <see cref="Cancel"/> (a user's Stop, Kill or Start now) makes sure it never fires.
/// </summary>
public sealed class RestartScheduler(SupervisorWork work, TimeProvider time, ILogger<RestartScheduler> logger)
{
    private readonly ConcurrentDictionary<int, CancellationTokenSource> pending = new();

    public bool IsPending(int serverId) => pending.ContainsKey(serverId);

    /// <summary>After <paramref name="delay"/> runs <paramref name="restart"/>, unless cancelled first.</summary>
    public Task Schedule(int serverId, TimeSpan delay, Func<CancellationToken, Task> restart)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(work.Stopping);
        if (pending.TryGetValue(serverId, out var previous))
        {
            Cancel(serverId, previous);
        }

        pending[serverId] = cts;
        // The timer starts now, not when the thread pool gets to the work: the delay counts from the decision.
        var elapsing = Task.Delay(delay, time, cts.Token);
        return work.Run($"restart server {serverId}", async _ =>
        {
            bool elapsed;
            try
            {
                await elapsing;
                elapsed = true;
            }
            catch (OperationCanceledException)
            {
                elapsed = false;
            }

            // Whoever takes the entry out owns it: a Cancel that got there first wins even if the delay just ended.
            if (!pending.TryRemove(new KeyValuePair<int, CancellationTokenSource>(serverId, cts)))
            {
                logger.LogDebug("Pending restart of server {ServerId} cancelled", serverId);
                return;
            }

            cts.Dispose();
            if (elapsed)
            {
                await restart(work.Stopping);
            }
        });
    }

    /// <summary>Cancels the pending restart of the server; true when there was one.</summary>
    public bool Cancel(int serverId) => pending.TryGetValue(serverId, out var cts) && Cancel(serverId, cts);

    private bool Cancel(int serverId, CancellationTokenSource cts)
    {
        if (!pending.TryRemove(new KeyValuePair<int, CancellationTokenSource>(serverId, cts)))
        {
            return false;
        }

        cts.Cancel();
        cts.Dispose();
        return true;
    }
}
