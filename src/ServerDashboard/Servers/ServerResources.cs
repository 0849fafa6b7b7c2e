using System.Globalization;
using ServerDashboard.Processes;

namespace ServerDashboard.Servers;

/// <summary>A running server's live figures, summed over its process group (as on the Processes page).</summary>
/// <param name="CpuPercent">Percent of one core; null until a rate over at least a second is known.</param>
public sealed record ServerResources(int ServerId, int Pid, double? CpuPercent, double? MemoryMb, double? UptimeSeconds);

/// <summary>
/// Per-server CPU, memory and uptime for the UI, from the same /proc sampling the Processes page uses
/// (<see cref="ProcessStatsCollector"/>). Components call this, never Processes/ directly. One sample serves every caller
/// for <see cref="MaxAge"/>, so many open tabs cost one /proc pass per second.
/// </summary>
public sealed class ServerResourceMonitor(ProcessStatsCollector collector, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    /// <summary>The collector rates CPU against a sample at least 1 s old, else against the process start: a daemon's
    /// first figure is an average since it started, so it is shown only once this monitor has seen it that long.</summary>
    private static readonly TimeSpan CpuWindow = TimeSpan.FromSeconds(1);

    private readonly Lock gate = new();
    private readonly Dictionary<int, DateTimeOffset> firstSeen = [];
    private IReadOnlyDictionary<int, ServerResources> last = new Dictionary<int, ServerResources>();
    private DateTimeOffset lastAt = DateTimeOffset.MinValue;

    /// <summary>Live figures of every server that has a live daemon, by server id.</summary>
    public IReadOnlyDictionary<int, ServerResources> Sample()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (now - lastAt < MaxAge)
            {
                return last;
            }

            var stats = collector.Collect();
            var result = new Dictionary<int, ServerResources>();
            foreach (var process in stats.Processes)
            {
                if (!process.Alive || !int.TryParse(process.ServerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    continue;
                }

                var seen = firstSeen.TryGetValue(process.Pid, out var first) ? first : firstSeen[process.Pid] = now;
                result[id] = new ServerResources(id, process.Pid, now - seen >= CpuWindow ? process.CpuPercent : null, process.MemoryMb, process.UptimeSeconds);
            }

            foreach (var pid in firstSeen.Keys.Except(result.Values.Select(r => r.Pid)).ToList())
            {
                firstSeen.Remove(pid);
            }

            last = result;
            lastAt = now;
            return last;
        }
    }

    public ServerResources? Get(int serverId) => Sample().GetValueOrDefault(serverId);
}
