using System.Collections.Concurrent;

namespace ServerDashboard.Servers;

/// <summary>
/// The current status of every server, and who wants to hear about changes. Subscribers are called on the
/// thread that changed the status: they must not block (Blazor components hop to their renderer with InvokeAsync).
/// </summary>
public sealed class ServerStatusBoard(TimeProvider time, ILogger<ServerStatusBoard> logger)
{
    private readonly ConcurrentDictionary<int, ServerStatus> statuses = new();
    private readonly Lock updateLock = new();
    private readonly Lock subscribersLock = new();
    private ImmutableSubscribers subscribers = new([]);

    public ServerStatus Get(int serverId) => statuses.GetValueOrDefault(serverId) ?? ServerStatus.StoppedAt(serverId, time.GetUtcNow());

    public IReadOnlyCollection<ServerStatus> All => statuses.Values.ToList();

    /// <summary>Applies <paramref name="change"/> to the current status and notifies subscribers when it differs.</summary>
    public ServerStatus Update(int serverId, Func<ServerStatus, ServerStatus> change)
    {
        ServerStatus before, after;
        lock (updateLock)
        {
            before = Get(serverId);
            after = change(before) with { ServerId = serverId, ChangedAt = before.ChangedAt };
            if (after == before)
            {
                return before;
            }

            after = after with { ChangedAt = time.GetUtcNow() };
            statuses[serverId] = after;
        }

        if (before.State != after.State)
        {
            logger.LogInformation("Server {ServerId}: {From} → {To}{Message}", serverId, before.State.ToString(), after.State.ToString(),
                after.Message is null ? "" : " (" + after.Message + ")");
        }

        foreach (var subscriber in subscribers.List)
        {
            try
            {
                subscriber(after);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "A status subscriber failed");
            }
        }

        return after;
    }

    public void Forget(int serverId) => statuses.TryRemove(serverId, out _);

    public IDisposable Subscribe(Action<ServerStatus> onChange)
    {
        lock (subscribersLock)
        {
            subscribers = new ImmutableSubscribers([.. subscribers.List, onChange]);
        }

        return new Subscription(this, onChange);
    }

    private void Unsubscribe(Action<ServerStatus> onChange)
    {
        lock (subscribersLock)
        {
            subscribers = new ImmutableSubscribers(subscribers.List.Where(s => s != onChange).ToArray());
        }
    }

    // Copy-on-write so notifying never holds the lock while running subscriber code.
    private sealed record ImmutableSubscribers(Action<ServerStatus>[] List);

    private sealed class Subscription(ServerStatusBoard board, Action<ServerStatus> onChange) : IDisposable
    {
        public void Dispose() => board.Unsubscribe(onChange);
    }
}
