using System.Collections.Concurrent;

namespace ServerDashboard.Servers;

/// <summary>
/// The current status of every server, and who wants to hear about changes. Every state change is checked against
/// <see cref="ServerTransitions"/> (an illegal one is logged as a bug and refused) and handed to
/// <see cref="ITransitionSink"/> (<see cref="ServerTransitionLog"/>) to be stored. Subscribers are called under the update lock, so they hear changes in
/// the order they happened; they must not block (Blazor components hop to their renderer with InvokeAsync).
/// </summary>
public sealed class ServerStatusBoard(TimeProvider time, ITransitionSink transitions, ILogger<ServerStatusBoard> logger)
{
    private readonly ConcurrentDictionary<int, ServerStatus> statuses = new();
    private readonly Lock updateLock = new();
    private readonly Lock subscribersLock = new();
    private ImmutableSubscribers subscribers = new([]);

    public ServerStatus Get(int serverId) => statuses.GetValueOrDefault(serverId) ?? ServerStatus.StoppedAt(serverId, time.GetUtcNow());

    public IReadOnlyCollection<ServerStatus> All => statuses.Values.ToList();

    /// <summary>
    /// Applies <paramref name="change"/> to the current status and notifies subscribers when it differs. A change of
    /// state is stored with its reason (the new status's message unless <paramref name="reason"/> is given) and the
    /// actor of the current power action (<see cref="PowerActor"/>, else <c>system</c>).
    /// </summary>
    public ServerStatus Update(int serverId, Func<ServerStatus, ServerStatus> change, string? reason = null)
    {
        lock (updateLock)
        {
            var before = Get(serverId);
            var after = change(before) with { ServerId = serverId, ChangedAt = before.ChangedAt };
            if (after == before)
            {
                return before;
            }

            if (!ServerTransitions.IsLegal(before.State, after.State))
            {
                logger.LogError("Server {ServerId}: illegal transition {From} → {To} refused (a bug)", serverId, before.State.ToString(), after.State.ToString());
                return before;
            }

            if (before.State != after.State)
            {
                // Leaving Backoff or Running drops what only belongs to them.
                after = after.State == ServerState.Backoff ? after : after with { NextAttemptAt = null, Attempt = null };
                after = after.State == ServerState.Running ? after : after with { Health = null };
            }

            after = after with { ChangedAt = time.GetUtcNow() };
            statuses[serverId] = after;
            if (before.State != after.State)
            {
                var why = reason ?? after.Message;
                logger.LogInformation("Server {ServerId}: {From} → {To}{Message}", serverId, before.State.ToString(), after.State.ToString(),
                    why is null ? "" : " (" + why + ")");
                transitions.Record(new ServerTransition(serverId, before.State, after.State, why, after.ChangedAt, PowerActor.Current));
            }

            // Under the lock: two changes racing on other threads still reach every subscriber in the order they were made.
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
    }

    public void Forget(int serverId) => statuses.TryRemove(serverId, out _);

    /// <summary>How many subscribers are notified of a change (tests check that stopping left none behind).</summary>
    internal int SubscriberCount => subscribers.List.Length;

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

    // Copy-on-write so subscribing never waits for a notification in progress.
    private sealed record ImmutableSubscribers(Action<ServerStatus>[] List);

    private sealed class Subscription(ServerStatusBoard board, Action<ServerStatus> onChange) : IDisposable
    {
        public void Dispose() => board.Unsubscribe(onChange);
    }
}
