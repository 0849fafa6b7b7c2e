using System.Diagnostics.Metrics;

namespace ServerDashboard.Logs;

/// <summary>
/// Counters of the log pipeline as a <see cref="Meter"/> (<see cref="MeterName"/>), tagged with the server's id: lines
/// read into a server's buffer and lines a slow subscriber lost. Whoever exports metrics listens; Logs/ knows nothing of
/// the exporter (or of server names).
/// </summary>
public sealed class LogMetrics
{
    public const string MeterName = "ServerDashboard.Logs";
    public const string ServerIdTag = "server.id";

    private readonly Counter<long> lines;
    private readonly Counter<long> dropped;

    public LogMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        lines = meter.CreateCounter<long>("serverdashboard.log.lines", "{line}", "Lines read from a server's console and log files.");
        dropped = meter.CreateCounter<long>("serverdashboard.log.dropped_lines", "{line}", "Lines a slow subscriber (console, hub stream) lost because its queue was full.");
    }

    public void LinesRead(int serverId, int count)
    {
        if (count > 0)
        {
            lines.Add(count, new KeyValuePair<string, object?>(ServerIdTag, serverId));
        }
    }

    public void LinesDropped(int serverId, long count)
    {
        if (count > 0)
        {
            dropped.Add(count, new KeyValuePair<string, object?>(ServerIdTag, serverId));
        }
    }
}
