using System.Text.Json.Serialization;

namespace ServerDashboard.Jobs;

/// <summary>The job states of <c>&lt;name&gt;.status</c> (the seed's words).</summary>
public static class JobStates
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    /// <summary>Vanished while no dashboard watched it, and its waiting parent left no exit code: the end is unknown.</summary>
    public const string Lost = "lost";

    public static bool IsFinal(string? status) => status is Succeeded or Failed or Cancelled or Lost;
}

/// <summary>
/// The content of <c>&lt;name&gt;.status</c>. The seed's field names (<c>pid</c>, <c>start_time</c>, <c>status</c>,
/// <c>command</c>, <c>progress</c>, <c>current_task</c>, <c>last_update</c>), plus <c>exit_code</c>, <c>boot_id</c> and
/// <c>process_start_time</c> (the leader's identity) and what the history needs (who, which type, how it ended).
/// Times are Unix seconds with a fraction.
/// </summary>
public sealed record JobStatusRecord
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("pid")] public int Pid { get; init; }
    [JsonPropertyName("start_time")] public double StartTime { get; init; }
    [JsonPropertyName("status")] public string Status { get; init; } = JobStates.Running;
    [JsonPropertyName("command")] public IReadOnlyList<string> Command { get; init; } = [];
    [JsonPropertyName("progress")] public double? Progress { get; init; }
    [JsonPropertyName("current_task")] public string? CurrentTask { get; init; }
    [JsonPropertyName("last_update")] public double LastUpdate { get; init; }
    [JsonPropertyName("exit_code")] public int? ExitCode { get; init; }
    [JsonPropertyName("boot_id")] public string? BootId { get; init; }
    [JsonPropertyName("process_start_time")] public ulong? ProcessStartTime { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("server_id")] public int? ServerId { get; init; }
    [JsonPropertyName("started_by")] public string? StartedBy { get; init; }
    [JsonPropertyName("working_directory")] public string? WorkingDirectory { get; init; }
    /// <summary>The job type's time limit: a run still going after it is cancelled.</summary>
    [JsonPropertyName("timeout_seconds")] public int? TimeoutSeconds { get; init; }
    /// <summary>
    /// A backup that stopped its server: whoever records the end (the dashboard, or the next one to start) starts the
    /// server again. Kept in the file so the promise survives a dashboard restart.
    /// </summary>
    [JsonPropertyName("restart_server_after")] public bool? RestartServerAfter { get; init; }
    [JsonPropertyName("end_time")] public double? EndTime { get; init; }
    /// <summary>How it ended, in words ("exit code 0", "SIGTERM, ended within 2 s", "SIGKILL after 30 s").</summary>
    [JsonPropertyName("ended")] public string? Ended { get; init; }
    [JsonPropertyName("cancelled_by")] public string? CancelledBy { get; init; }
    /// <summary>The last lines of the log, kept in the archived record.</summary>
    [JsonPropertyName("log_tail")] public IReadOnlyList<string>? LogTail { get; init; }

    public static double ToUnix(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;

    public static DateTimeOffset FromUnix(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
}

/// <summary>A cancel asked for by the CLI while a dashboard owns the files (<c>&lt;name&gt;.cancel</c>).</summary>
public sealed record JobCancelRequest
{
    [JsonPropertyName("timeout_seconds")] public int TimeoutSeconds { get; init; }
    [JsonPropertyName("requested_by")] public string? RequestedBy { get; init; }
}

[JsonSerializable(typeof(JobStatusRecord))]
[JsonSerializable(typeof(JobCancelRequest))]
[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
internal sealed partial class JobsJsonContext : JsonSerializerContext;
