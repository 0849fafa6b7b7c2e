using ServerDashboard.Servers;

namespace ServerDashboard.Components.Servers;

/// <summary>
/// Follows a server's status after a start or restart until it settles: Starting → Running is a success, Starting → Error
/// or Crashed (a program that dies 150 ms after launch) is a failure. The UI reports only what this returns, never
/// "started" for a launch that has not been seen to hold.
/// </summary>
public static class PowerFeedback
{
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(2);

    /// <summary>The first status of <paramref name="serverId"/> that is not Starting (or the current one at timeout).</summary>
    public static async Task<ServerStatus> WaitUntilSettledAsync(ServerStatusBoard board, int serverId, TimeProvider time, CancellationToken cancellationToken)
    {
        var settled = new TaskCompletionSource<ServerStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = board.Subscribe(status =>
        {
            if (status.ServerId == serverId && status.State != ServerState.Starting)
            {
                settled.TrySetResult(status);
            }
        });
        // Subscribed first, then read: a change between the two is not missed.
        var current = board.Get(serverId);
        if (current.State != ServerState.Starting)
        {
            return current;
        }

        using var timeout = new CancellationTokenSource(SettleTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await settled.Task.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return board.Get(serverId);
        }
    }
}
