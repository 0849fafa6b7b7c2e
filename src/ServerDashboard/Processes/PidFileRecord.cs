using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerDashboard.Processes;

/// <summary>
/// The content of <c>&lt;dataDir&gt;/run/&lt;serverId&gt;.pid</c> (schema in docs/pid-file.md).
/// A legacy file (just a decimal PID) is read as a record with <see cref="IsLegacy"/> set and most fields empty.
/// </summary>
public sealed record PidFileRecord
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public required int Pid { get; init; }

    /// <summary>Written as a JSON number when it is an integer (our DB keys); a string is accepted too.</summary>
    [JsonConverter(typeof(ServerIdJsonConverter))]
    public required string ServerId { get; init; }

    public string? Name { get; init; }

    public int? Port { get; init; }

    /// <summary>The program's argv (argv[0] absolute), i.e. what /proc/&lt;pid&gt;/cmdline shows; wrappers not included.</summary>
    public IReadOnlyList<string> Cmd { get; init; } = [];

    public string? Cwd { get; init; }

    public int? RconPort { get; init; }

    /// <summary>Kept so a re-adopted server can be stopped over RCON; the reason the file is 0600.</summary>
    public string? RconPassword { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat at launch.</summary>
    public ulong? ProcessStartTime { get; init; }

    public string? BootId { get; init; }

    /// <summary>/proc/&lt;pid&gt;/exe once the daemon runs the real program.</summary>
    public string? Exe { get; init; }

    public string? DashboardVersion { get; init; }

    /// <summary>Where the daemon appends stdout+stderr (lets a restarted dashboard tail it again).</summary>
    public string? LogPath { get; init; }

    /// <summary>The daemon's stdin FIFO (lets a restarted dashboard send console input again).</summary>
    public string? StdinPath { get; init; }

    /// <summary>
    /// The marker put in the daemon's environment (<see cref="LaunchMarker.Variable"/>): how a launch record written before the
    /// spawn finds its process in /proc after the dashboard died mid-launch. Null in files written by older dashboards.
    /// </summary>
    public string? LaunchId { get; init; }

    /// <summary>Set when a stop was accepted: a dashboard that restarts mid-stop carries it on (and escalates at the deadline).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? StopRequestedAt { get; init; }

    /// <summary>The graceful part of the pending stop: the signal number (SIGTERM or SIGINT) ...</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? StopSignal { get; init; }

    /// <summary>... and how long after <see cref="StopRequestedAt"/> the group gets SIGKILL.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? StopTimeoutSeconds { get; init; }

    [JsonIgnore]
    public bool IsLegacy { get; init; }

    /// <summary>The server's cgroup (e.g. <c>serverdashboard/42</c>); checked on re-adoption (the PID must be a member).</summary>
    public string? Cgroup { get; init; }

    /// <summary>The identity to verify, or null for a legacy file (no start time recorded).</summary>
    public ProcessIdentity? TryGetIdentity() =>
        ProcessStartTime is ulong start && BootId is not null ? new ProcessIdentity(BootId, Pid, start) : null;
}

/// <summary>Reads a server id written as a number or a string; writes integers as numbers.</summary>
public sealed class ServerIdJsonConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt64(out long n) => n.ToString(CultureInfo.InvariantCulture),
        JsonTokenType.String => reader.GetString() ?? "",
        _ => throw new JsonException($"serverId must be a number or a string, not {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => WriteId(writer, value);

    internal static void WriteId(Utf8JsonWriter writer, string value)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n)
            && n.ToString(CultureInfo.InvariantCulture) == value)
        {
            writer.WriteNumberValue(n);
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }
}
