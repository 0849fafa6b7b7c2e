using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ServerDashboard.Hosting;

namespace ServerDashboard.Hubs;

/// <summary>
/// Caps the concurrent hub streams (log and status subscriptions) of one caller: each stream holds a queue, so a Viewer
/// opening thousands of them could exhaust the dashboard's memory. <c>Dashboard:Security:MaxStreamsPerUser</c>.
/// </summary>
public sealed class HubStreamSlots(IOptions<DashboardOptions> options)
{
    private readonly ConcurrentDictionary<string, int> open = new();

    public int Limit => options.Value.Security.MaxStreamsPerUser;

    /// <summary>A slot to dispose when the stream ends, or null when the caller already has <see cref="Limit"/> streams.</summary>
    public IDisposable? TryAcquire(string principal)
    {
        while (true)
        {
            var current = open.GetOrAdd(principal, 0);
            if (current >= Limit)
            {
                return null;
            }

            if (open.TryUpdate(principal, current + 1, current))
            {
                return new Slot(this, principal);
            }
        }
    }

    public int OpenStreams(string principal) => open.GetValueOrDefault(principal);

    private void Release(string principal) => open.AddOrUpdate(principal, 0, (_, n) => Math.Max(0, n - 1));

    private sealed class Slot(HubStreamSlots owner, string principal) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Release(principal);
            }
        }
    }
}
