using System.Collections.Concurrent;

namespace ServerDashboard.Servers;

/// <summary>
/// One lock per server: start, stop and restart wait their turn; kill only tries it, so it always gets through a
/// stuck start or stop (the pattern of wings' power actions).
/// </summary>
public sealed class PowerLocks
{
    private readonly ConcurrentDictionary<int, SemaphoreSlim> locks = new();

    public SemaphoreSlim For(int serverId) => locks.GetOrAdd(serverId, _ => new SemaphoreSlim(1, 1));
}
