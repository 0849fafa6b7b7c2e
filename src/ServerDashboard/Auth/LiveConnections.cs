using System.Collections.Concurrent;

namespace ServerDashboard.Auth;

/// <summary>
/// The long-lived connections (hub connections) of each caller (<see cref="PrincipalKey"/>), so that when a user is demoted,
/// deleted or has their password reset, or an API key is revoked, what they already opened is closed at once instead of
/// streaming on with the rights it had when it connected.
/// </summary>
public sealed class LiveConnections(ILogger<LiveConnections> logger)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Action>> byPrincipal = new();

    /// <summary>Registers a connection; <paramref name="abort"/> closes it. Dispose the result when it closes by itself.</summary>
    public IDisposable Register(string principal, string connectionId, Action abort)
    {
        byPrincipal.GetOrAdd(principal, _ => new()).TryAdd(connectionId, abort);
        return new Registration(this, principal, connectionId);
    }

    public int CountOf(string principal) => byPrincipal.TryGetValue(principal, out var connections) ? connections.Count : 0;

    /// <summary>Closes every connection of <paramref name="principal"/>. Returns how many.</summary>
    public int AbortAll(string principal)
    {
        if (!byPrincipal.TryRemove(principal, out var connections))
        {
            return 0;
        }

        foreach (var abort in connections.Values)
        {
            abort();
        }

        if (connections.Count > 0)
        {
            logger.LogInformation("Closed {Count} live connection(s) of {Principal}: its rights changed", connections.Count, principal);
        }

        return connections.Count;
    }

    /// <summary>Closes every live connection (at shutdown). Returns how many.</summary>
    public int AbortEveryone() => byPrincipal.Keys.ToList().Sum(AbortAll);

    private void Unregister(string principal, string connectionId)
    {
        if (byPrincipal.TryGetValue(principal, out var connections))
        {
            connections.TryRemove(connectionId, out _);
        }
    }

    private sealed class Registration(LiveConnections owner, string principal, string connectionId) : IDisposable
    {
        public void Dispose() => owner.Unregister(principal, connectionId);
    }
}
