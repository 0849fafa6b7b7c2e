namespace ServerDashboard.Servers;

/// <summary>Why a run ended without being asked to (the <c>classification</c> of a crash record).</summary>
public enum CrashClassification
{
    Crash,
    Signal,
    OomKilled,
    StartupFailure,
    StartupTimeout,
    VanishedWhileDown,
}

/// <summary>An exit that was not a requested stop, as the supervisor saw it.</summary>
/// <param name="ExitCode">Null when killed by a signal or unknown (an adopted process is not our child).</param>
/// <param name="UptimeSeconds">Null when the start time is unknown.</param>
public sealed record CrashReport(
    int ServerId,
    DateTimeOffset At,
    int? ExitCode,
    int? Signal,
    double? UptimeSeconds,
    CrashClassification Classification,
    string Description);

/// <summary>Stores crash records (with the server's last console lines). The supervisor calls it for every exit
/// that was not a requested stop; it must not throw for storage trouble (log and go on: a crash is never lost to it).</summary>
public interface ICrashRecorder
{
    Task RecordAsync(CrashReport report, CancellationToken cancellationToken);
}
