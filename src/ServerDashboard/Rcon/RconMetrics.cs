using System.Diagnostics.Metrics;

namespace ServerDashboard.Rcon;

/// <summary>
/// RCON commands as a <see cref="Meter"/> (<see cref="MeterName"/>): one duration measurement per command, tagged with
/// the server's id and whether it got a reply. A histogram also counts, so there is no separate command counter.
/// </summary>
public sealed class RconMetrics
{
    public const string MeterName = "ServerDashboard.Rcon";
    public const string ServerIdTag = "server.id";
    public const string OutcomeTag = "outcome";

    private readonly Histogram<double> duration;

    public RconMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        duration = meter.CreateHistogram<double>("serverdashboard.rcon.command.duration", "s",
            "Time from sending an RCON command (connecting first if needed) to its reply or failure.");
    }

    public void CommandFinished(int serverId, TimeSpan elapsed, bool succeeded) =>
        duration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>(ServerIdTag, serverId),
            new KeyValuePair<string, object?>(OutcomeTag, succeeded ? "ok" : "error"));
}
