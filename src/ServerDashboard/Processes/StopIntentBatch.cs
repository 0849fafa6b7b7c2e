using System.Text.Json.Serialization;

namespace ServerDashboard.Processes;

/// <summary>
/// The content of <c>&lt;dataDir&gt;/run/&lt;guid&gt;.stops</c>: the stop intents of one stop-all, written as one durable
/// file before any of its servers is signalled (docs/pid-file.md, "Stop intent"). Each entry applies only to the process
/// it names (boot id, pid and start time), so an entry whose process is gone can never apply to another one.
/// </summary>
public sealed record StopIntentBatch
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public required string BootId { get; init; }

    /// <summary>When the stops were accepted: each server's deadline for SIGKILL counts from here.</summary>
    public required DateTimeOffset StopRequestedAt { get; init; }

    public IReadOnlyList<StopIntentEntry> Stops { get; init; } = [];
}

/// <summary>One server's stop in a <see cref="StopIntentBatch"/>.</summary>
public sealed record StopIntentEntry
{
    [JsonConverter(typeof(ServerIdJsonConverter))]
    public required string ServerId { get; init; }

    public required int Pid { get; init; }

    public required ulong ProcessStartTime { get; init; }

    /// <summary>15 SIGTERM, 2 SIGINT.</summary>
    public required int StopSignal { get; init; }

    public required double StopTimeoutSeconds { get; init; }
}
